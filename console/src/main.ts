// Element Plus's styles come per component with the chunk that imports it (vite.config.ts); `v-loading` is a
// directive (`vLoading`), which that import rule does not see, so its small stylesheet is loaded here.
import 'element-plus/es/components/loading/style/css';
import './styles.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';

createApp(App).use(createPinia()).use(router).mount('#app');
