/** A QR code drawn from the host's modules (dark: true), as SVG: no image is fetched or generated here. */
export function QrCode({ modules, label }: { modules: boolean[][]; label: string }) {
  const size = modules.length + 8;
  const path = modules.flatMap((row, y) => row.map((dark, x) => (dark ? `M${x + 4} ${y + 4}h1v1h-1z` : ''))).join('');
  return (
    <svg className="workshop-qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} data-testid="workshop-qr" shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
