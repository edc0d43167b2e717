package driver

// Spec describes a driver's configuration as data, so the console renders
// forms from it, the API redacts its secrets and docs are generated from it.
type Spec struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Device      []Field `json:"device"` // fields of the device's config (config.param)
	Point       []Field `json:"point"`  // fields of each point's config (config.param)
}

// FieldType is the type of a config field.
type FieldType string

// Field types.
const (
	FieldString   FieldType = "string"
	FieldInt      FieldType = "int"
	FieldFloat    FieldType = "float"
	FieldBool     FieldType = "bool"
	FieldDuration FieldType = "duration" // a Go duration string such as "500ms"
	FieldEnum     FieldType = "enum"     // one of Enum
	FieldList     FieldType = "list"     // a JSON array
	FieldObject   FieldType = "object"   // a JSON object
)

// Field is one configuration field.
type Field struct {
	Name        string    `json:"name"`
	Type        FieldType `json:"type"`
	Description string    `json:"description"`
	Default     any       `json:"default,omitempty"`
	Required    bool      `json:"required,omitempty"`
	Enum        []string  `json:"enum,omitempty"`
	// Secret fields (passwords, keys) are write-only: redacted in every reply
	// and export.
	Secret bool `json:"secret,omitempty"`
}

// SecretFields returns the names of the device fields marked secret.
func (s Spec) SecretFields() []string {
	var out []string
	for _, f := range s.Device {
		if f.Secret {
			out = append(out, f.Name)
		}
	}
	return out
}
