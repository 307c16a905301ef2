/**
 * Opening the native libraries the wasm backend calls (lib/_native_blas.ts, lib/_native_dnnl.ts).
 *
 * @module
 */

/** Options of {@link dlopenWithEnv}. */
export interface DlopenWithEnvOptions<S extends Deno.ForeignLibraryInterface> {
  /** Who opens it, for the error message (for example `"loadOpenBlas"`). */
  readonly caller: string;
  /** Shared library to open (a name the dynamic loader resolves, or a path). */
  readonly library: string;
  readonly symbols: S;
  /**
   * Variables set while the library loads (native libraries read their settings then); `null`
   * leaves a variable as it is. The environment is restored afterwards.
   */
  readonly env: Readonly<Record<string, string | null>>;
  /** What to do about a failure (the package to install, the engine to choose instead). */
  readonly hint: string;
}

/**
 * `Deno.dlopen` with `env` set during the load.
 *
 * @throws when the library cannot be opened: `<caller>: cannot open "<library>" (<loader's
 * message>). <hint>`.
 */
export function dlopenWithEnv<S extends Deno.ForeignLibraryInterface>(
  o: DlopenWithEnvOptions<S>,
): Deno.DynamicLibrary<S> {
  const before = Object.keys(o.env).map((name) => [name, Deno.env.get(name)] as const);
  for (const [name, value] of Object.entries(o.env)) {
    if (value !== null) Deno.env.set(name, value);
  }
  try {
    return Deno.dlopen(o.library, o.symbols);
  } catch (err) {
    throw new Error(
      `${o.caller}: cannot open "${o.library}" (${(err as Error).message}). ${o.hint}`,
      { cause: err },
    );
  } finally {
    for (const [name, value] of before) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}
