package extdriver

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/iotos/iotos/pkg/driver"
)

// program is the resolved command line of a child. It is built only from
// the drivers dir, validated names and config values passed as separate
// arguments, never through a shell.
type program struct {
	path string   // absolute path of the executable
	args []string // arguments after path
	env  []string // extra KEY=value entries
	desc string   // for logs and errors
}

// params are the keys extdriver reads from the device's config.param; the
// rest belongs to the driver.
type params struct {
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
}

// deniedEnv lists variables that make a loader or interpreter run code from
// a path: setting them would be a command line in disguise.
var deniedEnv = []string{"LD_", "DYLD_", "PYTHON", "PATH", "BASH_ENV", "ENV", "IFS", "SHELLOPTS",
	"NODE_OPTIONS", "PERL5", "RUBYOPT", "RUBYLIB", "JAVA_TOOL_OPTIONS", "GCONV_PATH", "GODEBUG"}

// resolve turns Ref and the device config into a program. Every refusal is
// code 105; a missing file is 513.
func resolve(o Options, raw json.RawMessage) (program, error) {
	var p params
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return program{}, driver.Errorf(driver.CodeArgError, "config.param: %v", err)
		}
	}
	env, err := checkEnv(p.Env)
	if err != nil {
		return program{}, err
	}
	if o.DriversDir == "" {
		return program{}, driver.Errorf(driver.CodeArgError, "no drivers dir configured")
	}
	kind, name, ok := strings.Cut(o.Ref, "/")
	switch {
	case !ok:
		return program{}, driver.Errorf(driver.CodeArgError, "driver %q: want python/<module>.<Class> or exec/<name>", o.Ref)
	case kind == "python":
		return pythonProgram(o, name, p, env)
	case kind == "exec":
		return execProgram(o, name, p, env)
	}
	return program{}, driver.Errorf(driver.CodeArgError, "driver %q: unknown kind %q", o.Ref, kind)
}

func pythonProgram(o Options, name string, p params, env []string) (program, error) {
	module, class, ok := strings.Cut(name, ".")
	if !ok || !identifier.MatchString(module) || !identifier.MatchString(class) {
		return program{}, driver.Errorf(driver.CodeArgError, "driver %q: module and class must match %s", o.Ref, identifier)
	}
	if len(p.Args) > 0 {
		return program{}, driver.Errorf(driver.CodeArgError, "driver %q: args apply to exec drivers only", o.Ref)
	}
	if o.SDKDir == "" {
		return program{}, driver.Errorf(driver.CodeArgError, "driver %q: no Python SDK dir configured", o.Ref)
	}
	if err := mustExist(filepath.Join(o.DriversDir, module+".py")); err != nil {
		return program{}, err
	}
	env = append(env, "PYTHONPATH="+o.SDKDir, "PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1")
	return program{path: o.Python, args: []string{"-m", "iotos.run", module, class}, env: env, desc: o.Ref}, nil
}

func execProgram(o Options, name string, p params, env []string) (program, error) {
	if !identifier.MatchString(name) {
		return program{}, driver.Errorf(driver.CodeArgError, "driver %q: program name must match %s", o.Ref, identifier)
	}
	for _, a := range p.Args {
		if strings.ContainsRune(a, 0) {
			return program{}, driver.Errorf(driver.CodeArgError, "driver %q: an argument contains NUL", o.Ref)
		}
	}
	dir, err := filepath.Abs(o.DriversDir)
	if err != nil {
		return program{}, driver.Errorf(driver.CodeArgError, "drivers dir: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := mustExist(path); err != nil {
		return program{}, err
	}
	return program{path: path, args: p.Args, env: env, desc: o.Ref}, nil
}

func checkEnv(m map[string]string) ([]string, error) {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if !identifier.MatchString(k) {
			return nil, driver.Errorf(driver.CodeArgError, "env %q: names must match %s", k, identifier)
		}
		for _, d := range deniedEnv {
			if strings.HasPrefix(strings.ToUpper(k), d) {
				return nil, driver.Errorf(driver.CodeArgError, "env %s: not allowed (it can make a program load code from a path)", k)
			}
		}
		if strings.ContainsRune(v, 0) {
			return nil, driver.Errorf(driver.CodeArgError, "env %s: value contains NUL", k)
		}
		out = append(out, k+"="+v)
	}
	return out, nil
}

func mustExist(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return driver.Errorf(513, "%s is not installed in the drivers dir", filepath.Base(path))
	case err != nil:
		return driver.Errorf(513, "%s: %v", filepath.Base(path), err)
	case st.IsDir():
		return driver.Errorf(513, "%s is a directory", filepath.Base(path))
	}
	return nil
}

// baseEnv is the part of the engine's environment a child inherits: enough
// to run, nothing secret.
func baseEnv() []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT", "TEMP", "TMP"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// childConfig is the device config the child sees: args and env are the
// host's, so a driver that decodes its config strictly is not tripped by
// them.
func childConfig(raw json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return raw
	}
	_, hasArgs := m["args"]
	_, hasEnv := m["env"]
	if !hasArgs && !hasEnv {
		return raw
	}
	delete(m, "args")
	delete(m, "env")
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}
