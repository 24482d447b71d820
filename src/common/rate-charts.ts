import { LABELS } from './labels';

// The two charts of the rates (the children against the target, the monthly trend) as ECharts options: one
// definition, drawn by the console in the browser and by the service into the monthly report's PDF (ECharts' SVG
// server-side rendering). Plain data in, plain options out: no DOM, no Vue.

type Indicator = keyof typeof LABELS.indicator;
const INDICATORS = Object.keys(LABELS.indicator) as Indicator[];

export interface ChartRow {
  jurisdiction: { name: string };
  submission: { rate: number | null };
  feedback: { rate: number | null };
  effectiveContact: { rate: number | null };
}

export interface ChartPoint extends Omit<ChartRow, 'jurisdiction'> {
  period: string;
}

/** The console's primary, warning and success colours: at least 3:1 against white, as bars and lines must be. */
export const CHART_COLORS = ['#0068d4', '#956113', '#407924'];
const pct = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

function common(animation: boolean) {
  return {
    animation,
    color: CHART_COLORS,
    aria: { enabled: true, decal: { show: true } },
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null | undefined) => (v === null || v === undefined ? '无数据' : `${v}%`) },
    legend: { top: 0 },
    grid: { left: 48, right: 64, top: 40, bottom: 56 },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
  };
}

/** The rates some row has: a legend never names a series without bars. */
export function chartedIndicators(rows: ChartRow[]): Indicator[] {
  return INDICATORS.filter((ind) => rows.some((r) => r[ind].rate !== null));
}

/** Past 8 children (25 villages of a township) the names no longer fit under the bars: the bars lie down, one per line. */
export function barsLie(rows: ChartRow[]): boolean {
  return rows.length > 8;
}

/** The height the bar chart needs, in pixels: lying bars grow with the rows. */
export function barsHeight(rows: ChartRow[]): number {
  return barsLie(rows) ? Math.max(300, 90 + rows.length * (8 + 8 * chartedIndicators(rows).length)) : 300;
}

/** 各下级对比: each charted rate per child, the target as a dashed line. */
export function barsOption(rows: ChartRow[], target: number, opts: { animation?: boolean } = {}) {
  const base = common(opts.animation ?? false);
  const lying = barsLie(rows);
  const names = { type: 'category', data: rows.map((r) => r.jurisdiction.name), inverse: lying, axisLabel: { interval: 0 } };
  const values = { ...base.yAxis };
  return {
    ...base,
    grid: lying ? { left: 16, right: 48, top: 56, bottom: 24, containLabel: true } : base.grid,
    xAxis: lying ? values : names,
    yAxis: lying ? names : values,
    series: chartedIndicators(rows).map((ind, i) => ({
      name: LABELS.indicator[ind],
      type: 'bar',
      data: rows.map((r) => pct(r[ind].rate)),
      ...(i === 0
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { color: '#f56c6c', type: 'dashed' },
              // Lying down the line is upright: its label goes above its top, clear of the axis' ticks.
              label: { formatter: `目标 ${pct(target)}%`, position: 'end' },
              data: [lying ? { xAxis: pct(target) } : { yAxis: pct(target) }],
            },
          }
        : {}),
    })),
  };
}

/** 按月趋势: the three rates month by month; a month without items breaks the line. */
export function trendOption(points: ChartPoint[], opts: { animation?: boolean } = {}) {
  return {
    ...common(opts.animation ?? false),
    xAxis: { type: 'category', data: points.map((p) => p.period) },
    series: INDICATORS.map((ind, i) => ({
      name: LABELS.indicator[ind],
      type: 'line',
      symbol: ['circle', 'rect', 'triangle'][i],
      symbolSize: 8,
      lineStyle: { type: ['solid', 'dashed', 'dotted'][i] },
      connectNulls: false,
      data: points.map((p) => pct(p[ind].rate)),
    })),
  };
}
