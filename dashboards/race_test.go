//go:build race

package dashboards_test

// raceEnabled: the race detector multiplies memory and time; measurements are skipped.
const raceEnabled = true
