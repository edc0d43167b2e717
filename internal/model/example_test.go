package model_test

import (
	"fmt"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

func ExampleDecodeTB() {
	table := []byte(`{
	  "id": "5f3c2a10b7e44d0c9a1e2b3c4d5e6f70", "name": "site",
	  "properties": {"1a2b3c4d": {"name": "boiler", "config": {"driver": "simulator"},
	    "data": {"0a01": {"name": "temp", "valuetype": "FLOAT", "readwrite": "1", "refreshcycle": "1000"}}}}
	}`)
	t, _, err := model.DecodeTB(table)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := t.Devices[0].Points[0]
	fmt.Println(p.FullID(), p.Type, p.Access, p.IntervalMS)

	_, _, err = model.DecodeTB([]byte(`{"id": "5f3c2a10b7e44d0c9a1e2b3c4d5e6f70", "name": "site",
	  "properties": {"1a2b3c4d": {"name": "boiler", "config": {"driver": "simulator"},
	    "data": {"0a01": {"name": "temp", "valuetype": "DOUBLE"}}}}}`))
	for _, p := range codes.From(err).Data.([]model.Problem) {
		fmt.Println(p)
	}
	// Output:
	// 5f3c2a10b7e44d0c9a1e2b3c4d5e6f70.1a2b3c4d.0a01 FLOAT r 1000
	// properties.1a2b3c4d.data.0a01.valuetype: "DOUBLE" is not BOOL, INT, FLOAT or STRING
}

func ExampleCompileExpr() {
	e, err := model.CompileExpr("x * 0.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := e.Eval(int64(215))
	fmt.Println(v)
	// Output: 21.5
}
