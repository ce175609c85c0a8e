package ingest

import (
	"encoding/json"
	"fmt"
)

// jsonReport is the wire shape of a report (gongkai parse --json, generator truth files).
type jsonReport struct {
	Source             string            `json:"source"`
	Agency             string            `json:"agency"`
	AgencySource       string            `json:"agency_source,omitempty"`
	Year               int               `json:"year"`
	Format             string            `json:"format"`
	Level              string            `json:"level"`
	Published          string            `json:"published,omitempty"`
	Table2             any               `json:"table2,omitempty"`
	Table2019          any               `json:"table2_2019,omitempty"`
	Table3             any               `json:"table3"`
	Table4             any               `json:"table4"`
	Publications       []Publication     `json:"publications"`
	ApplicationsStated *int64            `json:"applications_stated"`
	ApplicationsQuote  string            `json:"applications_quote,omitempty"`
	Incomplete         bool              `json:"incomplete,omitempty"`
	IncompleteReason   string            `json:"incomplete_reason,omitempty"`
	Findings           []Finding         `json:"findings"`
	Sources            map[string]Source `json:"sources,omitempty"`
}

// MarshalJSON writes the report as the spec's JSON object, with a "sources" map giving for
// every read cell the line and text it was read from.
func (r *Report) MarshalJSON() ([]byte, error) {
	n := r.Nested()
	j := jsonReport{
		Source: r.Source, Agency: r.Agency, Year: r.Year, Format: r.Format, Level: r.Level,
		Published: r.Published, Table2: n["table2"], Table2019: n["table2_2019"],
		Table3: n["table3"], Table4: n["table4"], Publications: r.Publications,
		ApplicationsStated: r.ApplicationsStated, ApplicationsQuote: r.ApplicationsQuote,
		Incomplete: r.Incomplete, IncompleteReason: r.IncompleteReason, Findings: r.Findings,
		AgencySource: r.AgencySource,
	}
	if j.Publications == nil {
		j.Publications = []Publication{}
	}
	if j.Findings == nil {
		j.Findings = []Finding{}
	}
	for k, c := range r.Cells.All() {
		if c.Value != nil && (c.Src != Source{}) {
			if j.Sources == nil {
				j.Sources = map[string]Source{}
			}
			j.Sources[k] = c.Src
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the spec's JSON object back into a Report (generator truth files,
// round-trip tests). Cells absent or null in the JSON are stored with a nil Value.
func (r *Report) UnmarshalJSON(b []byte) error {
	var j struct {
		jsonReport
		Table2    map[string]any `json:"table2"`
		Table2019 map[string]any `json:"table2_2019"`
		Table3    map[string]any `json:"table3"`
		Table4    map[string]any `json:"table4"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Report{
		Source: j.Source, Agency: j.Agency, Year: j.Year, Format: j.Format, Level: j.Level,
		Published: j.Published, Publications: j.Publications, ApplicationsStated: j.ApplicationsStated,
		ApplicationsQuote: j.ApplicationsQuote, Incomplete: j.Incomplete, Findings: j.Findings,
		IncompleteReason: j.IncompleteReason, AgencySource: j.AgencySource,
		Cells: MakeCells(len(Table2Keys2019) + len(Table3Rows)*len(Table3Columns) + 15),
	}
	if r.Format == "" {
		r.Format = Format2021
	}
	flat := map[string]any{}
	flatten("table2", j.Table2, flat)
	flatten("table2_2019", j.Table2019, flat)
	flatten("table3", j.Table3, flat)
	flatten("table4", j.Table4, flat)
	if v, ok := flat[Table3Key("other_handled", "total")]; ok && v != nil {
		r.SingleOther = true
	}
	for _, k := range r.Keys() {
		v, ok := flat[k]
		c := Cell{Src: j.Sources[k]}
		if ok && v != nil {
			f, isNum := v.(float64)
			if !isNum {
				return fmt.Errorf("cell %s: not a number: %v", k, v)
			}
			c.Value = Num(f)
		}
		r.Cells.Set(k, c)
	}
	return nil
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		key := prefix + "." + k
		if sub, ok := v.(map[string]any); ok {
			flatten(key, sub, out)
			continue
		}
		out[key] = v
	}
}
