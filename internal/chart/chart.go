// Package chart draws the reports' charts as SVG on the server: horizontal
// bar charts, grouped or stacked, with category labels, a legend, an axis
// with its label and the value of every bar written beside it. No
// JavaScript and no inline styles (the pages' CSP forbids both): colours
// are SVG presentation attributes. Every text is escaped.
//
// Horizontal bars because the labels are stage, owner and account names,
// often long and often Chinese, which fit on the left and never need to be
// turned on their side.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Palette is the colours of the series, in order; chosen to stay apart
// for readers with the common colour-vision deficiencies.
var Palette = []string{"#2563eb", "#16a34a", "#f59e0b", "#9333ea", "#dc2626", "#0891b2", "#64748b"}

// Series is one named row of values, one per category.
type Series struct {
	Name   string
	Values []int64
}

// Bars is a horizontal bar chart.
type Bars struct {
	// Title names the chart for screen readers (the SVG's title).
	Title string
	// Categories label the rows, top to bottom.
	Categories []string
	Series     []Series
	// Stacked draws a category's series end to end in one bar; otherwise
	// each series has its own thinner bar.
	Stacked bool
	// Axis labels the value axis, such as "金额（元）".
	Axis string
	// Format writes a value (the axis ends and the bars' labels); nil
	// writes the integer.
	Format func(int64) string
}

// Layout, in SVG units (the SVG scales to its container).
const (
	width      = 760
	labelWidth = 170
	valueRoom  = 110 // right of the longest bar, for its value
	legendRow  = 22
	barHeight  = 16
	rowGap     = 10
	axisRoom   = 40
)

// SVG renders the chart. A chart without categories renders as an empty
// string, so that a page can say "no data" instead.
func (b Bars) SVG() template.HTML {
	if len(b.Categories) == 0 || len(b.Series) == 0 {
		return ""
	}
	format := b.Format
	if format == nil {
		format = func(v int64) string { return fmt.Sprint(v) }
	}
	// The largest bar sets the scale.
	var maxV int64
	for i := range b.Categories {
		var sum int64
		for _, s := range b.Series {
			v := value(s, i)
			if b.Stacked {
				sum += max(v, 0)
			} else {
				maxV = max(maxV, v)
			}
		}
		maxV = max(maxV, sum)
	}
	plot := float64(width - labelWidth - valueRoom)
	scale := func(v int64) float64 {
		if maxV <= 0 || v <= 0 {
			return 0
		}
		return float64(v) / float64(maxV) * plot
	}
	perRow := barHeight
	if !b.Stacked {
		perRow = barHeight * len(b.Series)
	}
	legendLines := legendLayout(b.Series)
	top := legendRow*len(legendLines) + 8
	height := top + len(b.Categories)*(perRow+rowGap) + axisRoom

	var w strings.Builder
	fmt.Fprintf(&w, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s">`, width, height, esc(b.Title))
	fmt.Fprintf(&w, `<title>%s</title>`, esc(b.Title))
	// Legend.
	for li, line := range legendLines {
		x := labelWidth
		for _, si := range line {
			y := 4 + li*legendRow
			fmt.Fprintf(&w, `<g class="legend-item"><rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" font-size="13" fill="#334155">%s</text></g>`,
				x, y, color(si), x+17, y+11, esc(b.Series[si].Name))
			x += legendWidth(b.Series[si].Name)
		}
	}
	// Rows.
	y := top
	for i, cat := range b.Categories {
		fmt.Fprintf(&w, `<text class="category" x="%d" y="%d" text-anchor="end" font-size="13" fill="#0f172a">%s</text>`,
			labelWidth-8, y+perRow/2+5, esc(clip(cat, labelWidth-14)))
		if b.Stacked {
			x := float64(labelWidth)
			var sum int64
			for si, s := range b.Series {
				v := value(s, i)
				wd := scale(v)
				if wd > 0 {
					fmt.Fprintf(&w, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
						x, y, wd, barHeight, color(si), esc(s.Name), esc(format(v)))
				}
				x += wd
				sum += max(v, 0)
			}
			fmt.Fprintf(&w, `<text class="value" x="%.1f" y="%d" font-size="12" fill="#334155">%s</text>`, x+6, y+barHeight-3, esc(format(sum)))
		} else {
			for si, s := range b.Series {
				v := value(s, i)
				wd := scale(v)
				by := y + si*barHeight
				fmt.Fprintf(&w, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
					labelWidth, by, wd, barHeight-2, color(si), esc(s.Name), esc(format(v)))
				fmt.Fprintf(&w, `<text class="value" x="%.1f" y="%d" font-size="12" fill="#334155">%s</text>`, float64(labelWidth)+wd+6, by+barHeight-4, esc(format(v)))
			}
		}
		y += perRow + rowGap
	}
	// Axis: the baseline, its ends' values and its label.
	fmt.Fprintf(&w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#94a3b8"/>`, labelWidth, y, labelWidth+int(plot), y)
	fmt.Fprintf(&w, `<text class="axis" x="%d" y="%d" font-size="11" fill="#64748b">%s</text>`, labelWidth, y+14, esc(format(0)))
	fmt.Fprintf(&w, `<text class="axis" x="%d" y="%d" text-anchor="end" font-size="11" fill="#64748b">%s</text>`, labelWidth+int(plot), y+14, esc(format(maxV)))
	fmt.Fprintf(&w, `<text class="axis-label" x="%d" y="%d" text-anchor="middle" font-size="12" fill="#334155">%s</text>`, labelWidth+int(plot)/2, y+32, esc(b.Axis))
	w.WriteString(`</svg>`)
	return template.HTML(w.String()) //nolint:gosec // every text above went through esc
}

func value(s Series, i int) int64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return 0
}

func color(i int) string { return Palette[i%len(Palette)] }

// esc escapes text for SVG (which is XML inside HTML).
func esc(s string) string { return html.EscapeString(s) }

// clip shortens a label to about room units wide with an ellipsis; the
// full text stays in the table beside the chart.
func clip(s string, room int) string {
	if textWidth(s) <= room {
		return s
	}
	w := textWidth("…")
	for i, r := range s {
		w += textWidth(string(r))
		if w > room {
			return s[:i] + "…"
		}
	}
	return s
}

// textWidth estimates the width of text at 13px: CJK characters are about
// twice as wide as Latin ones.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if r > 0x2E80 {
			w += 13
		} else {
			w += 7
		}
	}
	return w
}

// legendWidth estimates the room of a legend entry: CJK characters are
// about twice as wide as Latin ones.
func legendWidth(name string) int { return 17 + textWidth(name) + 18 }

// legendLayout breaks the legend into lines that fit the plot's width.
func legendLayout(series []Series) [][]int {
	var lines [][]int
	var line []int
	x := labelWidth
	for i, s := range series {
		lw := legendWidth(s.Name)
		if len(line) > 0 && x+lw > width {
			lines = append(lines, line)
			line, x = nil, labelWidth
		}
		line = append(line, i)
		x += lw
	}
	return append(lines, line)
}
