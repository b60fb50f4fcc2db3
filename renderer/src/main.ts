/** Entry: installs window.workbench (HTTP client unless a preload already did) and mounts the app. */
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { installWorkbench } from './lib/workbench.js';

installWorkbench();
mount(App, { target: document.getElementById('app')! });
