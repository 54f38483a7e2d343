// Imported first: React picks its build when it is first loaded, and leaktop runs the production one.
process.env.NODE_ENV ??= 'production';
export {};
