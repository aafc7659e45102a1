// `await using stack = await up()` needs Symbol.asyncDispose: Node 20 before 20.5 (and some runtimes) lack it; the
// symbol is then the one Node itself later took (Symbol.for('nodejs.asyncDispose')), so both agree.
const symbols = Symbol as unknown as { asyncDispose?: symbol };
symbols.asyncDispose ??= Symbol.for('nodejs.asyncDispose');
export {};
