/**
 * The page a participant sees before joining: a plain form (no script), in French and English,
 * since the app's own translations load only once the participant is in.
 */
export type JoinFailure = 'wrongCode' | 'tooManyAttempts' | 'noName' | 'roomFull';

const FAILURES: Record<JoinFailure, string> = {
  wrongCode: 'Code incorrect. / Wrong code.',
  tooManyAttempts: 'Trop d’essais&nbsp;: attendez une minute avant de réessayer. / Too many tries: wait a minute before trying again.',
  noName: 'Indiquez votre prénom. / Please give your first name.',
  roomFull: 'L’atelier est complet. / The workshop is full.',
};

export function joinPage(options: { failure: JoinFailure | null }): string {
  const error = options.failure === null ? '' : `<p class="error" role="alert" data-failure="${options.failure}">${FAILURES[options.failure]}</p>`;
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Enclave · Atelier / Workshop</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 10vh auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; }
label { display: block; margin: 1rem 0 0.25rem; }
input { width: 100%; padding: 0.5rem; font-size: 1.1rem; box-sizing: border-box; }
button { margin-top: 1.25rem; padding: 0.6rem 1.2rem; font-size: 1rem; }
.error { color: #b91c1c; }
.muted { color: #656d76; font-size: 0.9rem; }
</style>
</head>
<body>
<h1>Rejoindre l’atelier · Join the workshop</h1>
<p class="muted">Vos conversations restent privées&nbsp;: les autres participants ne peuvent pas les lire. / Your conversations stay private: other participants cannot read them.</p>
${error}
<form method="post" action="/workshop/join">
<label for="code">Code de l’atelier · Workshop code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="off" required maxlength="6" autofocus>
<label for="name">Votre prénom · Your first name</label>
<input id="name" name="name" autocomplete="given-name" required maxlength="40">
<button type="submit">Rejoindre · Join</button>
</form>
</body>
</html>`;
}
