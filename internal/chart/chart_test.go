package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

// texts returns the text content of the SVG's <text> elements, which also
// proves the SVG is well-formed XML.
func texts(t *testing.T, svg string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var out []string
	in := false
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return out
			}
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			in = v.Name.Local == "text"
		case xml.CharData:
			if in {
				out = append(out, string(v))
			}
		case xml.EndElement:
			in = false
		}
	}
}

func TestBarsLabelsLegendValues(t *testing.T) {
	b := Bars{
		Title:      "管道 <阶段>",
		Categories: []string{"需求确认", "Demo & ROI"},
		Series:     []Series{{Name: "金额", Values: []int64{300, 100}}, {Name: "加权 <x>", Values: []int64{150, 50}}},
		Axis:       "元",
		Format:     func(v int64) string { return "¥" + itoa(v) },
	}
	svg := string(b.SVG())
	got := texts(t, svg)
	want := []string{"金额", "加权 <x>", "需求确认", "¥300", "¥150", "Demo & ROI", "¥100", "¥50", "¥0", "¥300", "元"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("texts\n got %q\nwant %q", got, want)
	}
	if strings.Contains(svg, "<x>") || strings.Contains(svg, "<阶段>") {
		t.Errorf("text not escaped: %s", svg)
	}
	if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
		t.Errorf("inline style or script: %s", svg)
	}

	b.Stacked = true
	got = texts(t, string(b.SVG()))
	want = []string{"金额", "加权 <x>", "需求确认", "¥450", "Demo & ROI", "¥150", "¥0", "¥450", "元"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("stacked texts\n got %q\nwant %q", got, want)
	}
	if (Bars{Title: "x"}).SVG() != "" {
		t.Error("an empty chart is not empty")
	}
}

func TestLegendWraps(t *testing.T) {
	var s []Series
	for range 12 {
		s = append(s, Series{Name: "一个很长的图例名称"})
	}
	lines := legendLayout(s)
	if len(lines) < 2 {
		t.Fatalf("legend did not wrap: %v", lines)
	}
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	if n != 12 {
		t.Errorf("legend lost entries: %v", lines)
	}
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
	}
	return string(b)
}

func TestClip(t *testing.T) {
	if got := clip("Prospecting → 80%", 156); got != "Prospecting → 80%" {
		t.Errorf("short label clipped: %q", got)
	}
	if got := clip("一二三四五六七八九十一二三四五", 156); got != "一二三四五六七八九十一…" {
		t.Errorf("long label: %q", got)
	}
}
