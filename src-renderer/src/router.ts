import { createRouter, createWebHashHistory } from 'vue-router'
import RunsView from './views/RunsView.vue'

// Hash history: works unchanged under app://workbench and the local server.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/runs' },
    { path: '/runs', component: RunsView },
    { path: '/runs/:id', component: () => import('./views/RunView.vue'), props: true },
    { path: '/new', component: () => import('./views/NewRunView.vue') },
    { path: '/builder', component: () => import('./views/BuilderView.vue') },
    { path: '/compare', component: () => import('./views/CompareView.vue') },
    { path: '/reproductions', component: () => import('./views/ReproductionsView.vue') },
    { path: '/workers', component: () => import('./views/WorkersView.vue') },
    { path: '/system', component: () => import('./views/SystemView.vue') },
  ],
})
