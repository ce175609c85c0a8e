package web

import (
	"bufio"
	"bytes"
	"strings"
)

// robots is the part of a host's robots.txt (RFC 9309) that applies to gongkai: the rules of
// the group naming gongkai, else of the group for "*".
type robots struct {
	rules    []robotsRule
	allowAll bool // no robots.txt (4xx): everything may be fetched
	denyAll  bool // robots.txt could not be read (5xx, unreachable): nothing may be fetched
}

type robotsRule struct {
	allow   bool
	pattern string // path pattern with * and a trailing $
}

// parseRobots reads a robots.txt body for the user-agent token agent (lower case).
func parseRobots(body []byte, agent string) *robots {
	type group struct {
		agents []string
		rules  []robotsRule
	}
	var groups []*group
	var cur *group
	lastWasAgent := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if !lastWasAgent || cur == nil {
				cur = &group{}
				groups = append(groups, cur)
			}
			cur.agents = append(cur.agents, strings.ToLower(val))
			lastWasAgent = true
		case "allow", "disallow":
			lastWasAgent = false
			if cur == nil {
				continue
			}
			if val == "" { // "Disallow:" allows everything
				continue
			}
			cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: val})
		default:
			lastWasAgent = false
		}
	}
	r := &robots{}
	var star []robotsRule
	matched := false
	for _, g := range groups {
		for _, a := range g.agents {
			switch {
			case a == "*":
				star = append(star, g.rules...)
			case a != "" && strings.Contains(agent, a):
				r.rules = append(r.rules, g.rules...)
				matched = true
			}
		}
	}
	if !matched {
		r.rules = star
	}
	return r
}

// allowed tells whether the path (with its query) may be fetched: the longest matching rule
// wins, allow over disallow on a tie; no matching rule allows.
func (r *robots) allowed(path string) bool {
	if r == nil || r.allowAll {
		return true
	}
	if r.denyAll {
		return false
	}
	if path == "/robots.txt" {
		return true
	}
	best, allow := -1, true
	for _, rule := range r.rules {
		if !robotsMatch(rule.pattern, path) {
			continue
		}
		n := len(rule.pattern)
		if n > best || (n == best && rule.allow) {
			best, allow = n, rule.allow
		}
	}
	return allow
}

// robotsMatch matches a robots.txt path pattern: * is any run of characters, a final $ anchors
// the end; otherwise the pattern is a prefix.
func robotsMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = strings.TrimSuffix(pattern, "$")
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	rest := path[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last && anchored {
			return strings.HasSuffix(rest, p)
		}
		j := strings.Index(rest, p)
		if j < 0 {
			return false
		}
		rest = rest[j+len(p):]
	}
	return !anchored || rest == ""
}
