import { createApp } from "vue";
import App from "./App.vue";
import "todo-shared-schema/style.css";

createApp(App).mount("#app");
