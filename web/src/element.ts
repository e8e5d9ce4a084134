// Only the Element Plus components the pages use, so the bundle carries and
// the browser runs those alone (the whole library is ~935 kB of script).
// A page that starts using another component adds it here.
import type { App } from 'vue'
import {
  ElAlert,
  ElAutoResizer,
  ElButton,
  ElCard,
  ElCascader,
  ElCheckbox,
  ElConfigProvider,
  ElDescriptions,
  ElDialog,
  ElEmpty,
  ElForm,
  ElInput,
  ElInputNumber,
  ElRadio,
  ElSelect,
  ElTable,
  ElTableV2,
  ElTabs,
  ElTag,
  ElTimeline,
  ElTree,
} from 'element-plus'
// Their styles, each with what it builds on (the library's own on-demand entries).
import 'element-plus/es/components/alert/style/css'
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/card/style/css'
import 'element-plus/es/components/cascader/style/css'
import 'element-plus/es/components/checkbox/style/css'
import 'element-plus/es/components/config-provider/style/css'
import 'element-plus/es/components/descriptions/style/css'
import 'element-plus/es/components/descriptions-item/style/css'
import 'element-plus/es/components/dialog/style/css'
import 'element-plus/es/components/empty/style/css'
import 'element-plus/es/components/form/style/css'
import 'element-plus/es/components/form-item/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/input-number/style/css'
import 'element-plus/es/components/radio/style/css'
import 'element-plus/es/components/radio-group/style/css'
import 'element-plus/es/components/radio-button/style/css'
import 'element-plus/es/components/select/style/css'
import 'element-plus/es/components/option/style/css'
import 'element-plus/es/components/table/style/css'
import 'element-plus/es/components/table-column/style/css'
import 'element-plus/es/components/table-v2/style/css'
import 'element-plus/es/components/tabs/style/css'
import 'element-plus/es/components/tab-pane/style/css'
import 'element-plus/es/components/tag/style/css'
import 'element-plus/es/components/timeline/style/css'
import 'element-plus/es/components/timeline-item/style/css'
import 'element-plus/es/components/tree/style/css'

const components = [
  ElAlert,
  ElAutoResizer,
  ElButton,
  ElCard,
  ElCascader,
  ElCheckbox,
  ElConfigProvider,
  ElDescriptions,
  ElDialog,
  ElEmpty,
  ElForm,
  ElInput,
  ElInputNumber,
  ElRadio,
  ElSelect,
  ElTable,
  ElTableV2,
  ElTabs,
  ElTag,
  ElTimeline,
  ElTree,
]

export function useElement(app: App): void {
  for (const c of components) app.use(c)
}
