// ECharts with only the parts the pages draw (maps, lines, bars), and the
// city's own grid polygons as the map — nothing is fetched from outside.
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
