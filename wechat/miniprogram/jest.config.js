// Two projects: "unit" renders pages and components with miniprogram-simulate
// (it needs a DOM: jsdom), "contract" runs services/ in Node against a real
// guanjia server that it builds and starts.
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/test/unit/**/*.test.js'],
      globalSetup: '<rootDir>/test/support/link-npm.js',
    },
    {
      displayName: 'contract',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/contract/**/*.test.js'],
    },
  ],
}
