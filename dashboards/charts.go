package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/render"

	"gongkai/analytics"
)

// assetsHost is where pages load ECharts from: this server, never a CDN.
const assetsHost = "/assets/"

// chartSeries is one named series of values along the x axis (nil: no value).
type chartSeries struct {
	Name   string
	Values []*float64
	Stack  string
}

// chartSpec describes one chart to draw.
type chartSpec struct {
	ID     string
	Title  string
	Kind   string // bar, line
	X      []string
	Series []chartSeries
	Pct    bool // values are ratios: show percent
}

func (s *Server) init(id string) charts.GlobalOpts {
	return charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: "320px", AssetsHost: assetsHost})
}

// snippet renders a chart for our templates: its element and its options as a JSON data
// block, drawn by /assets/gongkai.js (pages carry no inline script: see the
// Content-Security-Policy in server.go). The options are HTML-safe JSON (<, > and & as
// \u003c, \u003e, \u0026), so no data — an organ named "<!--<script>" or "</script>" —
// can end the block or swallow the page after it.
func snippet(r render.Renderer) template.HTML {
	sn := r.RenderSnippet() // also validates the chart's series
	c, ok := r.(interface{ JSON() map[string]any })
	if !ok {
		panic(fmt.Sprintf("dashboards: chart %T has no JSON options", r))
	}
	id, height := "chart", "320px"
	if m := chartElement.FindStringSubmatch(sn.Element); m != nil {
		id, height = m[1], m[2]
	}
	data, err := json.Marshal(c.JSON()) // escapes <, >, &, U+2028 and U+2029
	if err != nil {
		panic(fmt.Sprintf("dashboards: chart %s: %v", id, err))
	}
	if bytes.Contains(data, []byte("__f__")) {
		panic(fmt.Sprintf("dashboards: chart %s: JavaScript functions in options cannot pass the CSP; use plain options", id))
	}
	return template.HTML(fmt.Sprintf(`<div class="container"><div class="item" id="%s"></div></div><script type="application/json" class="chart-options" data-for="%s" data-height="%s">%s</script>`,
		template.HTMLEscapeString(id), template.HTMLEscapeString(id), template.HTMLEscapeString(height), data))
}

// chartElement finds the chart id and height in go-echarts' element snippet.
var chartElement = regexp.MustCompile(`id="([^"]+)" style="width:[^;]*;height:([^;"]*);`)

func (s *Server) common(spec chartSpec) []charts.GlobalOpts {
	g := []charts.GlobalOpts{
		s.init(spec.ID),
		charts.WithTitleOpts(opts.Title{Title: spec.Title, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 14}}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0", Type: "scroll"}),
		charts.WithGridOpts(opts.Grid{Left: "3%", Right: "3%", Bottom: "40", Top: "40", ContainLabel: opts.Bool(true)}),
		charts.WithAnimation(s.animation),
	}
	if spec.Pct {
		g = append(g, charts.WithYAxisOpts(opts.YAxis{AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}))
	}
	return g
}

func pointValue(v *float64, pct bool) any {
	if v == nil {
		return "-"
	}
	if pct {
		x, _ := strconv.ParseFloat(fmt.Sprintf("%.1f", *v*100), 64)
		return x
	}
	return *v
}

// chart draws a bar or line chart.
func (s *Server) chart(spec chartSpec) template.HTML {
	if spec.Kind == "line" {
		c := charts.NewLine()
		c.SetGlobalOptions(s.common(spec)...)
		c.SetXAxis(spec.X)
		for _, se := range spec.Series {
			data := make([]opts.LineData, len(se.Values))
			for i, v := range se.Values {
				data[i] = opts.LineData{Value: pointValue(v, spec.Pct)}
			}
			c.AddSeries(se.Name, data)
		}
		return snippet(c)
	}
	c := charts.NewBar()
	c.SetGlobalOptions(s.common(spec)...)
	c.SetXAxis(spec.X)
	for _, se := range spec.Series {
		data := make([]opts.BarData, len(se.Values))
		for i, v := range se.Values {
			data[i] = opts.BarData{Value: pointValue(v, spec.Pct)}
		}
		c.AddSeries(se.Name, data, charts.WithBarChartOpts(opts.BarChart{Stack: se.Stack}))
	}
	return snippet(c)
}

// trend draws metrics over the years of rows (one row a year).
func (s *Server) trend(id, title, kind, stack string, rows []analytics.Row, metrics ...string) template.HTML {
	spec := chartSpec{ID: id, Title: title, Kind: kind}
	for _, r := range rows {
		spec.X = append(spec.X, strconv.Itoa(r.Year))
	}
	for _, name := range metrics {
		m, _ := analytics.MetricByName(name)
		se := chartSeries{Name: m.Label, Stack: stack}
		if m.Kind == analytics.Ratio {
			spec.Pct = true
		}
		if strings.Contains(stack, "|") {
			// "review|litigation": stack by the metric's block.
			se.Stack = strings.SplitN(name, "_", 2)[0]
		}
		for _, r := range rows {
			se.Values = append(se.Values, r.Values[name])
		}
		spec.Series = append(spec.Series, se)
	}
	return s.chart(spec)
}

// heatmap draws agencies × years for one metric. value gives a cell's value, or nil and
// why it has none (analytics.NotReported, NotStated, ZeroDenominator): the cell is drawn
// empty and its tooltip says why — missing is never a colour of 0.
func (s *Server) heatmap(id string, m analytics.Metric, agencies []string, years []int, value func(agency string, year int) (*float64, string)) template.HTML {
	c := charts.NewHeatMap()
	var xs []string
	for _, y := range years {
		xs = append(xs, strconv.Itoa(y))
	}
	var data []opts.HeatMapData
	var max float64
	for yi, a := range agencies {
		for xi, y := range years {
			v, why := value(a, y)
			if v == nil {
				data = append(data, opts.HeatMapData{Name: why, Value: [3]any{xi, yi, "-"}})
				continue
			}
			x := pointValue(v, m.Kind == analytics.Ratio).(float64)
			if x > max {
				max = x
			}
			data = append(data, opts.HeatMapData{Value: [3]any{xi, yi, x}})
		}
	}
	if max == 0 {
		max = 1
	}
	height := 120 + 28*len(agencies)
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: fmt.Sprintf("%dpx", height), AssetsHost: assetsHost}),
		charts.WithTitleOpts(opts.Title{Title: m.Label + "：单位 × 年度", Left: "center", TitleStyle: &opts.TextStyle{FontSize: 14}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}), // one series: its legend only covered the title
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithAnimation(s.animation),
		charts.WithGridOpts(opts.Grid{Left: "3%", Right: "3%", Top: "40", Bottom: "60", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: agencies, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: 0, Max: float32(max), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: []string{"#f7fbff", "#6baed6", "#08306b"}}}),
	)
	c.SetXAxis(xs).AddSeries(m.Label, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}))
	return snippet(c)
}

// barOf draws one series of named values (findings by rule and the like).
func (s *Server) barOf(id, title string, names []string, values []float64) template.HTML {
	spec := chartSpec{ID: id, Title: title, Kind: "bar", X: names}
	se := chartSeries{Name: title}
	for i := range values {
		se.Values = append(se.Values, &values[i])
	}
	spec.Series = []chartSeries{se}
	return s.chart(spec)
}
