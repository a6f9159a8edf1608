import { mount } from "svelte";
import App from "./App.svelte";
import "todo-shared-schema/style.css";

mount(App, { target: document.getElementById("app")! });
