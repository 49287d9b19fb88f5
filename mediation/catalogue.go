package mediation

import "slices"

// DisputeType is one entry of the 矛盾纠纷 catalogue.
type DisputeType struct {
	Code string
	Name string
	// Specialised types go to a specialised committee (行业性、专业性人民调解委员会)
	// that takes them, wherever they arise.
	Specialised bool
}

// Types is the catalogue, as data.
var Types = []DisputeType{
	{Code: "marriage", Name: "婚姻家庭纠纷"},
	{Code: "neighbour", Name: "邻里纠纷"},
	{Code: "property", Name: "物业纠纷"},
	{Code: "labour", Name: "劳动争议"},
	{Code: "traffic", Name: "交通事故纠纷", Specialised: true},
	{Code: "medical", Name: "医疗纠纷", Specialised: true},
	{Code: "tourism", Name: "旅游纠纷", Specialised: true},
	{Code: "land", Name: "土地纠纷"},
	{Code: "contract", Name: "合同纠纷"},
	{Code: "debt", Name: "借贷纠纷"},
	{Code: "consumer", Name: "消费纠纷"},
	{Code: "other", Name: "其他纠纷"},
}

// FindType returns the catalogue entry of code.
func FindType(code string) (DisputeType, bool) {
	i := slices.IndexFunc(Types, func(t DisputeType) bool { return t.Code == code })
	if i < 0 {
		return DisputeType{}, false
	}
	return Types[i], true
}

// TypeName is the Chinese name of a type code.
func TypeName(code string) string {
	if t, ok := FindType(code); ok {
		return t.Name
	}
	return code
}
