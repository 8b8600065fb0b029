import { createApp } from "vue";
import App from "./App.vue";
import "./styles/theme.css";

// The only place reading the environment: the page URL. `?perf` records a
// Performance API measure per frame (benchmarks); `?root=` overrides the topic root.
const params = new URLSearchParams(location.search);
createApp(App, { measure: params.has("perf"), root: params.get("root") ?? undefined }).mount("#app");
