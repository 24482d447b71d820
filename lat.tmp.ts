import { measure } from './bench/b4-rates';
(async () => {
  const res = await fetch('http://127.0.0.1:3999/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'liudong-admin' }) });
  const { accessToken } = (await res.json()) as { accessToken: string };
  const url = `http://127.0.0.1:3999/api/rates?jurisdiction=${process.argv[2] ?? '440000000000'}`;
  await measure(url, accessToken, 4, 3);
  console.log('1 user', await measure(url, accessToken, 1, 8));
  console.log('8 users', await measure(url, accessToken, 8, 8));
})();
