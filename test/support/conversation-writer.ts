/**
 * A child process that writes conversations the way the host does while answers stream, printing
 * a line once each write is committed. The kill and concurrency tests run it.
 *   node conversation-writer.ts <db file> <conversation id> <turns, or 0 for endless>
 */
import { ConversationService } from '../../electron/services/conversations/conversation-service.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';

const [file, conversationId, turnsArg] = process.argv.slice(2);
if (file === undefined || conversationId === undefined) throw new Error('usage: conversation-writer.ts <db> <conversation id> <turns>');
const turns = Number(turnsArg ?? '0');
const { db } = openDatabase(file);
const service = new ConversationService(db);
const say = (line: string): boolean => process.stdout.write(`${line}\n`);

let parentId = service.get(conversationId).leafId;
say('ready');
for (let turn = 0; turns === 0 || turn < turns; turn++) {
  const question = service.addMessage(conversationId, { parentId, role: 'user', content: `question ${process.pid}-${turn}` });
  say(`saved ${question.id}`);
  const answer = service.addMessage(conversationId, { parentId: question.id, role: 'assistant', content: '', state: 'generating', modelId: 'writer' });
  say(`generating ${answer.id}`);
  let text = '';
  for (let chunk = 0; chunk < 4; chunk++) {
    text += ` part${chunk}`;
    service.updateAnswer(answer.id, { content: text });
  }
  service.updateAnswer(answer.id, { content: text, state: 'done', stats: null });
  say(`saved ${answer.id}`);
  parentId = answer.id;
  // Yield, so the parent's kill can land anywhere, including between statements.
  await new Promise((resolve) => setImmediate(resolve));
}
db.close();
