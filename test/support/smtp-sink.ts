/**
 * A real SMTP server for tests (smtp-server on loopback, a free port): it accepts every mail,
 * optionally only with a given user and password, parses it with mailparser and keeps it, so a
 * test reads what a user would receive. `stop()` and `start()` again on the same port stand for
 * an SMTP server that goes down and comes back.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from './process.ts';

export interface SmtpSink {
  port: number;
  mails: ParsedMail[];
  /** Resolves with the `count`-th mail (1-based) once it arrived; rejects after `timeoutMs`. */
  nextMail(count?: number, timeoutMs?: number): Promise<ParsedMail>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSmtpSink(options: { user?: string; password?: string } = {}): Promise<SmtpSink> {
  const port = await freePort();
  const mails: ParsedMail[] = [];
  const waiters: Array<{ count: number; resolve: (mail: ParsedMail) => void }> = [];
  let server: SMTPServer | undefined;
  const sink: SmtpSink = {
    port,
    mails,
    nextMail(count = mails.length + 1, timeoutMs = 10_000) {
      if (mails.length >= count) return Promise.resolve(mails[count - 1]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail number ${count} within ${timeoutMs} ms (have ${mails.length})`)), timeoutMs);
        waiters.push({ count, resolve: (mail) => (clearTimeout(timer), resolve(mail)) });
      });
    },
    async start() {
      server = new SMTPServer({
        secure: false,
        disabledCommands: ['STARTTLS'],
        authOptional: options.user === undefined,
        logger: false,
        onAuth(auth, _session, callback) {
          if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
          else callback(new Error('Invalid username or password'));
        },
        onData(stream, _session, callback) {
          simpleParser(stream).then(
            (mail) => {
              mails.push(mail);
              for (const waiter of waiters.filter((w) => w.count <= mails.length)) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(mails[waiter.count - 1]);
              }
              callback();
            },
            (error: Error) => callback(error),
          );
        },
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
  await sink.start();
  return sink;
}
