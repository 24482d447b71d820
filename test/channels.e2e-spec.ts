import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { account, daysAgo, newIdNumber, PASSWORD, staffAt } from './support/people';
import { freePort } from './support/private-redis';

// Messages out of the service (reminders.md "Channels"), to real peers: a local HTTP server stands in for the 企业微信
// and 钉钉 robots and a webhook (checking 钉钉's signature and the webhook's HMAC as they would), and an SMTP server
// (smtp-server) receives the mails. This file's own places: 英山县 and its 温泉镇 and 南河镇.
const COUNTY = '421124000000';
const TOWNSHIP = '421124100000';
const OTHER_TOWNSHIP = '421124101000';
const VILLAGE = '421124100001'; // 毕升社区
const DING_SECRET = 'SEC-dingtalk-secret-1';
const HOOK_SECRET = 'webhook-secret-2';

interface Received {
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

/** 钉钉's check: the sign of timestamp + "\n" + secret, and a timestamp within the hour. */
function dingtalkSigned(url: URL, secret: string): boolean {
  const timestamp = url.searchParams.get('timestamp') ?? '';
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return url.searchParams.get('sign') === sign && Math.abs(Date.now() - Number(timestamp)) < 3_600_000;
}

/** What a mail says, decoded from its MIME encodings (encoded-word subject, base64 or quoted-printable text). */
function decodeMail(raw: string): { subject: string; text: string } {
  const words = (s: string) => s.replace(/=\?UTF-8\?B\?([^?]+)\?=\s*/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
  const subject = words(/^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(raw)?.[1].replace(/\r\n[ \t]/g, '') ?? '');
  const [head, ...rest] = raw.split(/\r\n\r\n/);
  let text = rest.join('\r\n\r\n');
  if (/Content-Transfer-Encoding: base64/i.test(head)) text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
    text = Buffer.from(
      text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  }
  return { subject, text };
}

describe('channels: 企业微信, 钉钉, email and webhooks', () => {
  let t: TestApp;
  let strict: TestApp;
  let http: Server;
  let smtp: SMTPServer;
  let base: string;
  const posts: Received[] = [];
  const mails: { to: string[]; raw: string }[] = [];
  let supervisor: string;
  let clerk: string;
  let otherClerk: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://receiver');
        posts.push({ path: url.pathname, body, headers: req.headers });
        res.setHeader('content-type', 'application/json');
        if (url.pathname === '/dingtalk') {
          res.end(JSON.stringify(dingtalkSigned(url, DING_SECRET) ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' }));
        } else if (url.pathname === '/dingtalk-refusing') {
          res.end(JSON.stringify({ errcode: 300001, errmsg: 'token is not exist' }));
        } else if (url.pathname === '/webhook') {
          const expected = `sha256=${createHmac('sha256', HOOK_SECRET).update(body).digest('hex')}`;
          res.statusCode = req.headers['x-liudong-signature'] === expected ? 200 : 401;
          res.end('{}');
        } else res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('latin1')));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.from(raw, 'latin1').toString('utf8') });
          done();
        });
      },
    });
    const smtpPort = await freePort();
    await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, DELIVERY_BACKOFF: 'PT0.2S' });
    // Another node's API as production runs it: private addresses refused, and a mail server that is not there. (An
    // API alone: its workers would take this file's notifications to their own queue.)
    strict = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, CHANNEL_ALLOW_PRIVATE: 'false' }, 'api');
    [supervisor, clerk, otherClerk] = await Promise.all([staffAt(t, COUNTY, 'supervisor'), staffAt(t, TOWNSHIP), staffAt(t, OTHER_TOWNSHIP)]);
  }, 60_000);
  afterAll(async () => {
    await strict?.close();
    await t?.close();
    await new Promise((r) => http.close(r));
    await new Promise((r) => smtp.close(() => r(undefined)));
  });

  it('sends a 催办 to every channel a clerk set, signed as each peer checks, and shows no secret back', async () => {
    const set = await t
      .http()
      .put('/api/me/channels')
      .set(auth(clerk))
      .send({
        wecom: { url: `${base}/wecom?key=abc` },
        dingtalk: { url: `${base}/dingtalk?access_token=xyz`, secret: DING_SECRET },
        email: { address: 'wenquan@example.gov.cn' },
        webhook: { url: `${base}/webhook`, secret: HOOK_SECRET },
      })
      .expect(200);
    expect(set.body).toMatchObject({
      wecom: { url: `${base}/wecom?key=abc`, lastError: null },
      dingtalk: { secret: '****' },
      email: { address: 'wenquan@example.gov.cn' },
      webhook: { secret: '****' },
    });
    const [stored] = await t.db.query(`SELECT secret FROM user_channel WHERE channel = 'dingtalk' AND target LIKE $1`, [`${base}%`]);
    expect(stored.secret).not.toContain(DING_SECRET);

    await t.http().post('/api/reminders').set(auth(supervisor)).send({ jurisdictionCode: TOWNSHIP, indicator: 'feedback', note: '本周内处理' }).expect(201);
    await waitFor(
      () => Promise.resolve(posts.filter((p) => ['/wecom', '/dingtalk', '/webhook'].includes(p.path)).length === 3 && mails.length === 1),
      15_000,
      'all four channels',
    );
    const [wecom] = posts.filter((p) => p.path === '/wecom');
    expect(JSON.parse(wecom.body)).toMatchObject({
      msgtype: 'markdown',
      markdown: { content: expect.stringMatching(/^\*\*催办：湖北省黄冈市英山县温泉镇反馈率\*\*/) },
    });
    const [ding] = posts.filter((p) => p.path === '/dingtalk');
    expect(JSON.parse(ding.body)).toMatchObject({ msgtype: 'markdown', markdown: { title: '催办：湖北省黄冈市英山县温泉镇反馈率' } });
    const [hook] = posts.filter((p) => p.path === '/webhook');
    expect(JSON.parse(hook.body)).toMatchObject({
      kind: 'reminder',
      title: '催办：湖北省黄冈市英山县温泉镇反馈率',
      link: expect.stringMatching(/\/exchanges\/inbox\?tab=overdue$/),
    });
    const mail = decodeMail(mails[0].raw);
    expect(mails[0].to).toEqual(['wenquan@example.gov.cn']);
    expect(mail.subject).toBe('催办：湖北省黄冈市英山县温泉镇反馈率');
    expect(mail.text).toContain('说明：本周内处理');
    // Every peer accepted it (钉钉 checked the signature, the webhook its HMAC): each channel says when it last sent.
    const after = (await t.http().get('/api/me/channels').set(auth(clerk)).expect(200)).body;
    for (const channel of ['wecom', 'dingtalk', 'email', 'webhook']) expect(after[channel]).toMatchObject({ lastError: null, lastSentAt: expect.any(String) });
  });

  it('keeps a failing channel from holding up the others, and says why it fails', async () => {
    await t
      .http()
      .put('/api/me/channels')
      .set(auth(otherClerk))
      .send({ wecom: { url: `${base}/wecom?key=other` }, dingtalk: { url: `${base}/dingtalk-refusing`, secret: DING_SECRET } })
      .expect(200);
    const before = posts.length;
    await t.http().post('/api/reminders').set(auth(supervisor)).send({ jurisdictionCode: OTHER_TOWNSHIP }).expect(201);
    await waitFor(() => Promise.resolve(posts.slice(before).some((p) => p.path === '/wecom')), 15_000, 'the 企业微信 message');
    const state = await waitFor(
      async () => {
        const body = (await t.http().get('/api/me/channels').set(auth(otherClerk)).expect(200)).body;
        return body.dingtalk.lastError ? body : undefined;
      },
      15_000,
      'the 钉钉 error noted',
    );
    expect(state.dingtalk.lastError).toBe('钉钉拒收：token is not exist（errcode 300001）');
    expect(state.wecom).toMatchObject({ lastError: null, lastSentAt: expect.any(String) });
    // The console's own notification was there all along.
    expect((await t.http().get('/api/notifications/unread-count').set(auth(otherClerk)).expect(200)).body.count).toBe(1);
  });

  it('sends a test message to each channel on 发送测试消息 and reports each result', async () => {
    const tested = await t.http().post('/api/me/channels/test').set(auth(otherClerk)).expect(200);
    expect(tested.body.results).toEqual([
      { channel: 'dingtalk', ok: false, error: '钉钉拒收：token is not exist（errcode 300001）' },
      { channel: 'wecom', ok: true, error: null },
    ]);
    // Removed with null; left out, kept.
    const removed = await t.http().put('/api/me/channels').set(auth(otherClerk)).send({ dingtalk: null }).expect(200);
    expect(removed.body).toMatchObject({ dingtalk: null, wecom: { url: `${base}/wecom?key=other` } });
  });

  it('refuses bad channels with the field named, and on a production node private addresses; an absent mail server is said', async () => {
    const refused = async (app: TestApp, token: string, body: object) =>
      (await app.http().put('/api/me/channels').set(auth(token)).send(body).expect(400)).body.details;
    expect(await refused(t, clerk, { wecom: { url: 'not a url' } })).toEqual([{ field: 'wecom.url', message: '不是有效的网址' }]);
    expect(await refused(t, clerk, { webhook: { url: 'ftp://example.com/x', secret: HOOK_SECRET } })).toEqual([
      { field: 'webhook.url', message: '必须是 http 或 https 网址' },
    ]);
    expect((await refused(t, clerk, { dingtalk: { url: `${base}/dingtalk`, secret: 'short' } }))[0]).toMatchObject({ field: 'dingtalk.secret' });
    expect((await refused(t, clerk, { email: { address: 'not-an-address' } }))[0]).toMatchObject({ field: 'email.address' });

    const token = await strict.token(await account(strict, OTHER_TOWNSHIP), PASSWORD);
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest',
      'http://[::1]/x',
      'http://192.168.1.1/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      expect(await refused(strict, token, { webhook: { url, secret: HOOK_SECRET } })).toEqual([{ field: 'webhook.url', message: '不能指向本机或内网地址' }]);
    }
    // The mail server is not answering: the test says so, and the setting keeps the reason.
    await strict
      .http()
      .put('/api/me/channels')
      .set(auth(token))
      .send({ email: { address: 'nanhe@example.gov.cn' } })
      .expect(200);
    const tested = await strict.http().post('/api/me/channels/test').set(auth(token)).expect(200);
    expect(tested.body.results).toEqual([{ channel: 'email', ok: false, error: '邮件服务器无法连接' }]);
    expect((await strict.http().get('/api/me/channels').set(auth(token)).expect(200)).body.email.lastError).toBe('邮件服务器无法连接');
  });

  it('never sends a person’s name, ID number or phone: every message this file sent is scanned', async () => {
    // A registration of 温泉镇's answered 查无此人: its clerk is told on all four channels, about a person.
    const person = { idNumber: newIdNumber({ sex: 'male' }), name: '柯文远', phone: '13700002222' };
    const inflow = await registerInflow(t, clerk, inflowBody(person, daysAgo(2), { householdCode: '421381003003', destinationCode: VILLAGE }));
    const origin = await staffAt(t, '421381003000');
    const notice = await waitFor(
      async () => (await t.db.query(`SELECT id FROM exchange WHERE case_id = $1 AND status = 'delivered'`, [inflow.caseId]))[0] as { id: string } | undefined,
      15_000,
      'notice delivered',
    );
    const before = posts.length;
    await t
      .http()
      .post(`/api/exchanges/${notice.id}/reply`)
      .set(auth(origin))
      .send({ outcome: 'not_found', note: `${person.name} ${person.phone}` })
      .expect(200);
    await waitFor(() => Promise.resolve(posts.slice(before).filter((p) => p.body.includes('查无此人')).length === 3), 15_000, 'the reply_action on the robots');
    // Every person in this database, but for names the test accounts also bear (a 催办 names the clerk who sent it).
    const people: { name: string }[] = await t.db.query(`SELECT name FROM person WHERE name NOT IN (SELECT display_name FROM app_user)`);
    const numbers = /\d{11,}/;
    const texts = [...posts.map((p) => p.body), ...mails.map((m) => JSON.stringify(decodeMail(m.raw)))];
    expect(texts.length).toBeGreaterThan(4);
    for (const text of texts) {
      expect(text).not.toMatch(numbers);
      for (const { name } of people) expect(text).not.toContain(name);
      for (const personal of [person.name, person.phone, person.idNumber.slice(-6)]) expect(text).not.toContain(personal);
    }
  });
});
