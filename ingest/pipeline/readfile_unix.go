//go:build unix

package pipeline

import (
	"io/fs"
	"syscall"
)

// readFile is os.ReadFile without what an *os.File costs that a file read once whole does
// not need: the runtime poller's registration (an epoll_ctl and an fcntl a file), the
// object and its cleanup. open, fstat, read to the end, close: what os.ReadFile does besides.
// Errors are *fs.PathError, as os.ReadFile gives them.
func readFile(path string) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	size := 0
	if err := syscall.Fstat(fd, &st); err == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG {
		size = int(st.Size)
	}
	// one more byte than the size: the read that finds the end needs room (os.ReadFile: 512)
	data := make([]byte, 0, max(size+1, 512))
	for {
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // grows the array
		}
	}
}
