package store

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
)

// memorySize is a DuckDB memory size: a number and a unit (4GB, 512MiB, 1.5GB).
var memorySize = regexp.MustCompile(`^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// SetLimits bounds DuckDB's memory (memory_limit, e.g. "4GB"; "" leaves DuckDB's default of
// 80% of RAM) and worker threads (0: one a core). On a machine serving many users and
// ingesting at once, DuckDB's defaults would let one query take most of the memory.
func (d *DB) SetLimits(memoryLimit string, threads int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.Background()
	if memoryLimit != "" {
		if !memorySize.MatchString(memoryLimit) {
			return fmt.Errorf("duckdb.memory_limit %q: 应为数字加单位，如 4GB、512MB", memoryLimit)
		}
		if err := d.exec(ctx, fmt.Sprintf("SET memory_limit = '%s'", memoryLimit)); err != nil {
			return fmt.Errorf("duckdb.memory_limit %q: %w", memoryLimit, err)
		}
	}
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	if err := d.exec(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		return fmt.Errorf("duckdb.threads %d: %w", threads, err)
	}
	return nil
}

// writeMemory are the DuckDB settings of LimitWriteMemory, in order.
var writeMemory = []struct{ name, value string }{
	{"checkpoint_threshold", "64MB"},
	{"write_buffer_row_group_memory_limit", "128MB"},
	{"allocator_flush_threshold", "32MB"},
	{"allocator_bulk_deallocation_flush_threshold", "64MB"},
}

// LimitWriteMemory bounds the memory DuckDB holds beside its buffer pool (memory_limit, see
// SetLimits) in a process that mostly writes: gongkai ingest. It checkpoints every 64 MB of
// WAL instead of 256 MB (until a checkpoint, what the WAL holds is also held in memory as
// uncompressed tables), buffers row groups being written up to 128 MB (DuckDB's default:
// 1.2 GB), and hands freed memory back to the system past 32 MB, 64 MB after a bulk free
// (DuckDB's defaults: 128 MB and 512 MB).
func (d *DB) LimitWriteMemory() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range writeMemory {
		if err := d.exec(context.Background(), fmt.Sprintf("SET %s = '%s'", s.name, s.value)); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}
