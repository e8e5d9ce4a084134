// ECharts with only the parts the pages draw (maps, lines, bars), and the
// city's own unit polygons as the maps — nothing is fetched from outside.
import * as echarts from 'echarts/core'
import { MapChart, LineChart, BarChart, ScatterChart } from 'echarts/charts'
import {
  GeoComponent,
  TooltipComponent,
  LegendComponent,
  GridComponent,
  VisualMapComponent,
  TitleComponent,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { onBeforeUnmount, onMounted, type Ref } from 'vue'
import { get } from './api'

echarts.use([
  MapChart,
  LineChart,
  BarChart,
  ScatterChart,
  GeoComponent,
  TooltipComponent,
  LegendComponent,
  GridComponent,
  VisualMapComponent,
  TitleComponent,
  CanvasRenderer,
])

export { echarts }

// One chart in one box for a component's life: made when the component
// mounts, drawn by `draw`, resized with its box (a tab or drawer may open
// after it is made) and disposed when it unmounts. `redraw()` draws again
// with the current data; before mounting it does nothing.
export function useChart(el: Ref<HTMLElement | null>, draw: (chart: echarts.ECharts) => void): { redraw: () => void } {
  let chart: echarts.ECharts | null = null
  let observer: ResizeObserver | null = null
  onMounted(() => {
    if (!el.value) return
    chart = echarts.init(el.value)
    draw(chart)
    observer = new ResizeObserver(() => chart?.resize())
    observer.observe(el.value)
  })
  onBeforeUnmount(() => {
    observer?.disconnect()
    chart?.dispose()
    chart = null
  })
  return { redraw: () => chart && draw(chart) }
}

export interface UnitFeature {
  type: 'Feature'
  properties: { id: string; name: string; kind: string; parent_id: string | null }
  geometry: { type: string; coordinates: unknown }
}
export interface UnitMap {
  type: 'FeatureCollection'
  features: UnitFeature[]
}

const loaded = new Map<string, Promise<UnitMap>>()

// Registers the polygons of one kind of unit (grid, street, …) as an ECharts
// map named 'xt-<kind>' and returns them; fetched once per page load.
export function loadUnitMap(kind: string): Promise<UnitMap> {
  let p = loaded.get(kind)
  if (!p) {
    p = get<UnitMap>(`/api/v1/units/map?kind=${encodeURIComponent(kind)}`).then((m) => {
      // ECharts names regions by properties.name; ids keep them apart.
      const named = {
        ...m,
        features: m.features.map((f) => ({ ...f, properties: { ...f.properties, name: f.properties.id } })),
      }
      echarts.registerMap('xt-' + kind, named as never)
      return m
    })
    p.catch(() => loaded.delete(kind))
    loaded.set(kind, p)
  }
  return p
}

// The units the dashboard counts at each level (GET /stats/places): a
// street's level holds townships too, as the counts do.
export const levelKinds: Record<string, string[]> = {
  grid: ['grid'],
  community: ['community'],
  street: ['street', 'township'],
  district: ['district'],
}

// Registers the polygons of one level as the ECharts map 'xt-level-<level>'
// (regions named by unit id) and returns them with their real names.
export async function loadLevelMap(level: string): Promise<UnitMap> {
  const kinds = levelKinds[level] ?? [level]
  const maps = await Promise.all(kinds.map((k) => loadUnitMap(k)))
  const all: UnitMap = { type: 'FeatureCollection', features: maps.flatMap((m) => m.features) }
  const named = {
    ...all,
    features: all.features.map((f) => ({ ...f, properties: { ...f.properties, name: f.properties.id } })),
  }
  echarts.registerMap('xt-level-' + level, named as never)
  return all
}
