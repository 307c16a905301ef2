/**
 * System prerequisites of the test suite: Jupyter, the Deno kernel, bubblewrap, fonts, Mesa
 * (Vulkan lavapipe for the webgpu backend), OpenBLAS and Debian's Python.
 *
 * `checkPrereqs({ install: true })` installs what is missing when it runs as root with
 * apt-get available (a fresh container, CI). Otherwise it names the exact command and fails.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";

/** One system prerequisite and how to check and install it. */
export interface Prereq {
  readonly name: string;
  /** Debian packages that provide it. */
  readonly packages: readonly string[];
  /** True when the prerequisite is present. */
  readonly present: () => boolean;
}

const _anyFile = (dir: string, pattern: RegExp): boolean =>
  existsSync(dir) && readdirSync(dir).some((f) => pattern.test(f));

/** Everything the suite needs beyond Deno itself. */
export const PREREQS: readonly Prereq[] = [
  {
    name: "Debian python3 (/usr/bin/python3)",
    packages: ["python3"],
    present: () => existsSync("/usr/bin/python3"),
  },
  {
    name: "Jupyter nbconvert + nbclient (/usr/bin/jupyter)",
    packages: ["jupyter-nbconvert", "python3-nbclient", "jupyter-client"],
    present: () =>
      existsSync("/usr/bin/jupyter") &&
      spawnSync("/usr/bin/python3", ["-c", "import nbconvert, nbclient, jupyter_client"]).status ===
        0,
  },
  {
    name: "bubblewrap (bwrap)",
    packages: ["bubblewrap"],
    present: () => existsSync("/usr/bin/bwrap"),
  },
  {
    name: "DejaVu fonts",
    packages: ["fonts-dejavu-core"],
    present: () => existsSync("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
  },
  {
    name: "Vulkan loader + Mesa lavapipe (webgpu backend on CPU)",
    packages: ["mesa-vulkan-drivers", "libvulkan1"],
    present: () =>
      _anyFile("/usr/share/vulkan/icd.d", /^lvp_icd\..*json$/) &&
      _sharedLibrary("libvulkan.so.1"),
  },
  {
    name: "Debian Chromium (/usr/bin/chromium, the browser test)",
    packages: ["chromium"],
    present: () => existsSync("/usr/bin/chromium"),
  },
  {
    name: "classic Jupyter Notebook 6.4 (/usr/bin/jupyter-notebook, the browser test)",
    packages: ["jupyter-notebook"],
    present: () => existsSync("/usr/bin/jupyter-notebook"),
  },
  {
    name: "OpenBLAS (the wasm backend's native matmuls, lib/_native_blas.ts)",
    packages: ["libopenblas0"],
    present: () => _sharedLibrary("libopenblas.so.0"),
  },
  {
    name: "coverage.py for Debian's python3 (deno task coverage, synth --min-coverage)",
    packages: ["python3-coverage"],
    present: () => spawnSync("/usr/bin/python3", ["-c", "import coverage"]).status === 0,
  },
  {
    name: "oneDNN (the wasm backend's native elementwise kernels, lib/_native_dnnl.ts)",
    packages: ["libdnnl2"],
    present: () => _sharedLibrary("libdnnl.so.2"),
  },
];

/** Whether a shared library of this file name is in one of Debian's library directories. */
function _sharedLibrary(name: string): boolean {
  return ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]
    .some((d) => existsSync(`${d}/${name}`));
}

/** bubblewrap, which untrusted code runs under (the demo installs it as root, or fails naming it). */
export const BUBBLEWRAP: readonly Prereq[] = PREREQS.filter((p) =>
  p.packages.includes("bubblewrap")
);

/**
 * What the demo needs: bubblewrap (untrusted code runs only under it) and the native libraries of
 * the wasm backend (without them training falls back to XNNPACK and the JS kernels, several times
 * slower). The demo installs them as root, or fails naming the command.
 */
export const DEMO: readonly Prereq[] = PREREQS.filter((p) =>
  ["bubblewrap", "libopenblas0", "libdnnl2"].some((pkg) => p.packages.includes(pkg))
);

/** What the browser test needs beyond JupyterLab's environment: Chromium, the classic Notebook. */
export const BROWSER_TEST: readonly Prereq[] = PREREQS.filter((p) =>
  p.packages.includes("chromium") || p.packages.includes("jupyter-notebook")
);

/** Result of a prerequisite check. */
export interface PrereqReport {
  readonly missing: readonly Prereq[];
  readonly installed: readonly string[];
}

function _isRoot(): boolean {
  return typeof Deno.uid === "function" && Deno.uid() === 0;
}

function _kernelInstalled(): boolean {
  const home = Deno.env.get("HOME") ?? "/root";
  const dirs = [
    `${home}/.local/share/jupyter/kernels/deno`,
    "/usr/local/share/jupyter/kernels/deno",
    "/usr/share/jupyter/kernels/deno",
  ];
  return dirs.some((d) => existsSync(`${d}/kernel.json`));
}

/**
 * Check (and, as root with apt-get, install) the system prerequisites.
 * Throws with the exact install command when something is missing and cannot be installed.
 */
export function checkPrereqs(
  opts: { install: boolean; only?: readonly Prereq[] },
): PrereqReport {
  const wanted = opts.only ?? PREREQS;
  let missing = wanted.filter((p) => !p.present());
  const installed: string[] = [];
  if (missing.length > 0 && opts.install && _isRoot() && existsSync("/usr/bin/apt-get")) {
    const pkgs = [...new Set(missing.flatMap((p) => p.packages))];
    console.error(`prereqs: installing ${pkgs.join(" ")} with apt-get`);
    const env = { ...Deno.env.toObject(), DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const inst = spawnSync(
      "apt-get",
      ["install", "-y", "-qq", "--no-install-recommends", ...pkgs],
      {
        stdio: "inherit",
        env,
      },
    );
    if (update.status !== 0 || inst.status !== 0) {
      throw new Error(`prereqs: apt-get install ${pkgs.join(" ")} failed (exit ${inst.status})`);
    }
    installed.push(...pkgs);
    missing = wanted.filter((p) => !p.present());
  }
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.flatMap((p) => p.packages))];
    throw new Error(
      `missing system prerequisites: ${missing.map((p) => p.name).join("; ")}.\n` +
        `Install them with:\n  sudo apt-get update && sudo apt-get install -y ${pkgs.join(" ")}`,
    );
  }
  if (opts.only === undefined && !_kernelInstalled()) {
    if (!opts.install) {
      throw new Error("the Deno Jupyter kernel is not registered. Run: deno jupyter --install");
    }
    const r = spawnSync(Deno.execPath(), ["jupyter", "--install"], { stdio: "inherit" });
    if (r.status !== 0 || !_kernelInstalled()) {
      throw new Error("`deno jupyter --install` failed; run it by hand and retry");
    }
    installed.push("deno jupyter kernel");
  }
  return { missing, installed };
}
