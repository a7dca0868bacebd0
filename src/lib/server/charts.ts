import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

/*
 * Dashboard charts, drawn by Apache ECharts on the server into SVG (its SSR mode: no DOM,
 * no canvas). Phones get a small static picture that scales with the screen — nothing of the
 * library is sent to them — and the same numbers are in the tables next to each chart.
 */

echarts.use([BarChart, GridComponent, LegendComponent, SVGRenderer]);

const WIDTH = 360;
const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
const INK = '#1f2937';
const LINE = '#e5e7eb';

function render(option: EChartsCoreOption, height: number): string {
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
	try {
		chart.setOption({ animation: false, textStyle: { fontFamily: FONT, color: INK, fontSize: 12 }, ...option });
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
}

/** Long names are shortened in the chart only; the tables carry them whole. */
function short(label: string, max = 8): string {
	const chars = [...label];
	return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : label;
}

export interface Bar {
	label: string;
	value: number;
	color?: string;
}

/** One horizontal bar per category with its count at the end (status counts). */
export function barsChart(bars: readonly Bar[]): string {
	return render(
		{
			grid: { left: 8, right: 36, top: 8, bottom: 8 },
			xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: LINE } }, axisLabel: { show: false } },
			yAxis: { type: 'category', inverse: true, data: bars.map((b) => short(b.label)), axisTick: { show: false }, axisLine: { lineStyle: { color: LINE } } },
			series: [
				{
					type: 'bar',
					barMaxWidth: 22,
					data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.color ?? '#b91c1c' } })),
					label: { show: true, position: 'right', color: INK }
				}
			]
		},
		bars.length * 30 + 24
	);
}

export interface StackRow {
	label: string;
	parts: number[];
}

/** Stacked horizontal bars (done / in progress / overdue … per unit), with a legend on top. */
export function stackedChart(series: readonly { name: string; color: string }[], rows: readonly StackRow[]): string {
	return render(
		{
			legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 11 } },
			grid: { left: 8, right: 16, top: 44, bottom: 8 },
			xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: LINE } } },
			yAxis: { type: 'category', inverse: true, data: rows.map((r) => short(r.label)), axisTick: { show: false }, axisLine: { lineStyle: { color: LINE } } },
			series: series.map((s, k) => ({
				name: s.name,
				type: 'bar',
				stack: 'all',
				barMaxWidth: 18,
				itemStyle: { color: s.color },
				data: rows.map((r) => r.parts[k] ?? 0)
			}))
		},
		rows.length * 26 + 64
	);
}

/** Vertical bars over time (items done per month). */
export function columnsChart(bars: readonly Bar[]): string {
	return render(
		{
			grid: { left: 8, right: 8, top: 16, bottom: 8 },
			xAxis: { type: 'category', data: bars.map((b) => b.label), axisTick: { show: false }, axisLabel: { interval: 0, fontSize: 10 }, axisLine: { lineStyle: { color: LINE } } },
			yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: LINE } } },
			series: [{ type: 'bar', barMaxWidth: 18, data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.color ?? '#15803d' } })), label: { show: true, position: 'top', fontSize: 10, formatter: (p: { value: unknown }) => (p.value ? String(p.value) : '') } }]
		},
		180
	);
}
