package model

import (
	"fmt"
	"strings"

	"github.com/iotos/iotos/internal/codes"
)

// Problem is one thing wrong with a table or an object: where (Path, such as
// "properties.1a2b3c4d.data.0a01"; empty for the gateway itself), which field
// and why. A rejected table lists every problem, so a user fixes the file in
// one pass instead of one error per upload.
type Problem struct {
	Path   string `json:"path"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	where := p.Field
	if p.Path != "" {
		where = p.Path + "." + p.Field
	}
	return where + ": " + p.Reason
}

// TableError is the code 514 (TableNotValid) error for a rejected table; its
// Data is the problem list. It returns nil for no problems.
func TableError(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return codes.WithData(codes.TableNotValid, problems, "point table not valid: %s", summarize(problems))
}

// argError is the code 105 error for an object entered through the API: the
// message names every bad field, Data carries them as problems.
func argError(kind, id string, problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return codes.WithData(codes.ArgError, problems, "%s %s: %s", kind, id, summarize(problems))
}

// summarize names the first few problems; the full list is in the data.
func summarize(problems []Problem) string {
	const shown = 3
	parts := make([]string, 0, shown)
	for i, p := range problems {
		if i == shown {
			break
		}
		parts = append(parts, p.String())
	}
	s := strings.Join(parts, "; ")
	if len(problems) > shown {
		s += fmt.Sprintf(" (and %d more)", len(problems)-shown)
	}
	return s
}

// problems collects Problems under one path.
type problems struct {
	list []Problem
}

func (ps *problems) add(path, field, format string, args ...any) {
	ps.list = append(ps.list, Problem{Path: path, Field: field, Reason: fmt.Sprintf(format, args...)})
}
