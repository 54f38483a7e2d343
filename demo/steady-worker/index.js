// A worker that allocates a lot but keeps nothing: busy garbage, steady memory. The contrast to leaky-server.
let checksum = 0;
setInterval(() => {
  const batch = [];
  for (let i = 0; i < 20_000; i++) batch.push({ i, label: `job-${i}` });
  checksum = (checksum + batch.length) % 1_000_003;
}, 100);
console.log('steady-worker running');
