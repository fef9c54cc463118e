// The parts of better-sqlite3 (v12) that Tacit uses. The package ships no types and
// @types/better-sqlite3 is not a dependency; if it is added later, delete this file.
declare module 'better-sqlite3' {
  namespace BetterSqlite3 {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement<Row = unknown> {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): Row | undefined;
      all(...params: unknown[]): Row[];
      iterate(...params: unknown[]): IterableIterator<Row>;
      pluck(toggle?: boolean): this;
      raw(toggle?: boolean): this;
      readonly reader: boolean;
    }
    interface Transaction<F extends (...args: never[]) => unknown> {
      (...args: Parameters<F>): ReturnType<F>;
      deferred(...args: Parameters<F>): ReturnType<F>;
      immediate(...args: Parameters<F>): ReturnType<F>;
      exclusive(...args: Parameters<F>): ReturnType<F>;
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      /** Busy timeout in milliseconds (default 5000). */
      timeout?: number;
    }
    interface Database {
      prepare<Row = unknown>(sql: string): Statement<Row>;
      exec(sql: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
      close(): this;
      readonly open: boolean;
      readonly inTransaction: boolean;
      readonly name: string;
      readonly readonly: boolean;
    }
    interface DatabaseConstructor {
      new (filename?: string, options?: Options): Database;
      (filename?: string, options?: Options): Database;
    }
    interface SqliteError extends Error {
      code: string;
    }
  }
  const Database: BetterSqlite3.DatabaseConstructor;
  namespace Database {
    type Database = BetterSqlite3.Database;
    type Statement<Row = unknown> = BetterSqlite3.Statement<Row>;
    type SqliteError = BetterSqlite3.SqliteError;
  }
  export = Database;
}
