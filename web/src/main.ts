import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { restore } from './session'
import './style.css'

document.documentElement.lang = i18n.global.locale.value
restore().finally(() => {
  createApp(App).use(ElementPlus, { locale: zhCn }).use(i18n).use(router).mount('#app')
})
