package wire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Reader reads frames from a stream, one per line, and never holds more
// than MaxLine bytes of one line: a longer line is skipped and reported.
type Reader struct {
	br   *bufio.Reader
	max  int
	line int // lines read so far, for error messages
}

// NewReader returns a Reader with the MaxLine limit.
func NewReader(r io.Reader) *Reader { return NewReaderSize(r, MaxLine) }

// NewReaderSize returns a Reader with a custom line limit (tests use small
// ones).
func NewReaderSize(r io.Reader, max int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next frame. A malformed or oversized line is an *Error
// with code 517 naming the line number; the stream stays usable after it.
// io.EOF means the stream ended cleanly.
func (r *Reader) Next() (Frame, error) {
	line, err := r.readLine()
	if err != nil {
		return Frame{}, err
	}
	f, err := DecodeFrame(line)
	if err != nil {
		var we *Error
		if errors.As(err, &we) {
			return Frame{}, &Error{Code: we.Code, Msg: fmt.Sprintf("line %d: %s", r.line, we.Msg)}
		}
		return Frame{}, err
	}
	return f, nil
}

// readLine returns one line without its newline, skipping blank lines.
func (r *Reader) readLine() ([]byte, error) {
	for {
		line, err := r.readRaw()
		if err != nil {
			return nil, err
		}
		if len(line) > 0 {
			return line, nil
		}
	}
}

func (r *Reader) readRaw() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(buf)+len(chunk) > r.max+1 {
			r.line++
			if err := r.discardLine(err); err != nil {
				return nil, err
			}
			return nil, &Error{Code: codeBadFrame, Msg: fmt.Sprintf("line %d: longer than the %d byte limit", r.line, r.max)}
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			r.line++
			return trimEOL(buf), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			r.line++
			return trimEOL(buf), nil
		default:
			return nil, err
		}
	}
}

// discardLine skips the rest of an oversized line.
func (r *Reader) discardLine(err error) error {
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = r.br.ReadSlice('\n')
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}
