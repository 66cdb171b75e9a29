import { mount } from 'svelte';
import App from './App.svelte';
import './styles/base.css';
import './styles/forms.css';
import './styles/content.css';

mount(App, { target: document.getElementById('app')! });
