// Used by svelte-package (scripts/build-svelte.mjs): strip TypeScript from the shipped components.
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

export default { preprocess: vitePreprocess({ script: true }) };
