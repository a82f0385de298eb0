// Zapier loads the app from the package's main file: the TypeScript sources compile to dist/ (`npm run build`).
module.exports = require("./dist/index.js").default;
