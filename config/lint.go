package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A typo in the configuration must not pass silently: a key that Config does not have
// (distrct:) or a registry level that does not exist (towship) is refused with the file, the
// line and the key, and the nearest known word when there is one.

// lint checks the YAML configuration file path against Config's keys and, when levels is not
// empty, every registry entry's level against levels. Files of other types (JSON, TOML) are
// checked for unknown keys by viper's key list, without lines.
func lint(path string, levels []string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".yaml" && ext != ".yml" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("配置文件 %s 无法读取：%w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("配置文件 %s 格式有误：%w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	l := &linter{path: path, levels: levels}
	l.walk(doc.Content[0], reflect.TypeOf(Config{}), "")
	return errors.Join(l.errs...)
}

type linter struct {
	path   string
	levels []string
	errs   []error
}

func (l *linter) fail(n *yaml.Node, format string, a ...any) {
	l.errs = append(l.errs, fmt.Errorf("配置文件 %s 第 %d 行：%s", l.path, n.Line, fmt.Sprintf(format, a...)))
}

// walk checks node n against the type t; prefix is the dotted path of n ("server.").
func (l *linter) walk(n *yaml.Node, t reflect.Type, prefix string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return
			}
			l.fail(n, "%s 应为若干“键: 值”", strings.TrimSuffix(prefix, "."))
			return
		}
		fields := keysOf(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				l.fail(k, "未知的配置项 %s%s%s", prefix, k.Value, suggest(k.Value, fields))
				continue
			}
			if t == reflect.TypeOf(Organ{}) && k.Value == "level" && len(l.levels) > 0 && v.Kind == yaml.ScalarNode && !contains(l.levels, v.Value) {
				l.fail(v, "%slevel 的值 %s 不是已知的级别（可用：%s）%s", prefix, v.Value, strings.Join(l.levels, "、"), suggestWord(v.Value, l.levels))
				continue
			}
			l.walk(v, f.Type, prefix+k.Value+".")
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return // a scalar for a list: viper's decoding reports it
		}
		for i, item := range n.Content {
			l.walk(item, t.Elem(), fmt.Sprintf("%s[%d].", strings.TrimSuffix(prefix, "."), i+1))
		}
	}
}

// keysOf maps the mapstructure names of t's fields to the fields.
func keysOf(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name != "-" {
			out[name] = f
		}
	}
	return out
}

// suggest names the known key nearest to k, if it is near: "（是否为 district？）".
func suggest(k string, fields map[string]reflect.StructField) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	if s := suggestWord(k, names); s != "" {
		return s
	}
	return "（可用：" + strings.Join(names, "、") + "）"
}

func suggestWord(w string, words []string) string {
	best, bestD := "", 3
	for _, c := range words {
		if d := distance(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return "（是否为 " + best + "？）"
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
