import { mount } from 'svelte';
import App from './viewer/App.svelte';
import './viewer/app.css';

window.addEventListener('unhandledrejection', (e) => console.error('unhandled', e.reason));
mount(App, { target: document.getElementById('app')! });
