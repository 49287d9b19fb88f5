package demo

import (
	"fmt"
	"guanjia"
	"math/rand/v2"
	"time"

	"guanjia/credit"
)

// CreditGen makes plausible Haikou credit data: company names with a 字号,
// valid 统一社会信用代码 and ID numbers, decisions and publication periods
// around today. The same seed gives the same data.
type CreditGen struct {
	Rand  *rand.Rand
	Today time.Time // in Haikou, at midnight UTC
}

func NewCreditGen(seed uint64, now time.Time) *CreditGen {
	y, m, d := now.In(guanjia.ChinaTime).Date()
	return &CreditGen{Rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), Today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

const (
	zihaoChars = "鸿泰达盛华兴隆丰源恒瑞祥和信诚安康宏远海椰琼鑫泽润德嘉富鼎晟昌荣旺通顺利佳美景辉明阳光天成永益汇聚新创智联博众合力金银龙凤腾飞亚洲环球中南方东西北宝万福寿喜乐佰仟恒久星月云"
	surnames   = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾符吉云"
	givenChars = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志海燕"
)

var (
	industries = []string{"建筑工程", "装饰工程", "劳务", "商贸", "餐饮管理", "物业服务", "旅游开发", "科技", "农业开发", "水产",
		"房地产开发", "物流", "医药", "汽车服务", "酒店管理", "文化传媒", "环保科技", "电子商务", "食品", "园林绿化"}
	suffixes  = []string{"有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"}
	regions   = []string{"海南", "海口", "海南", "海口市", ""}
	streets   = []string{"龙华区滨海大道", "美兰区海府路", "秀英区长滨路", "琼山区府城大道", "龙华区国贸路", "美兰区白龙南路", "龙华区金贸西路"}
	districts = []string{"460105", "460106", "460107", "460108"}
)

func (g *CreditGen) pick(s string) string {
	r := []rune(s)
	return string(r[g.Rand.IntN(len(r))])
}

func (g *CreditGen) CompanyName() string {
	zihao := g.pick(zihaoChars) + g.pick(zihaoChars)
	if g.Rand.IntN(3) == 0 {
		zihao += g.pick(zihaoChars)
	}
	return regions[g.Rand.IntN(len(regions))] + zihao + industries[g.Rand.IntN(len(industries))] + suffixes[g.Rand.IntN(len(suffixes))]
}

func (g *CreditGen) PersonName() string {
	n := g.pick(surnames) + g.pick(givenChars)
	if g.Rand.IntN(2) == 0 {
		n += g.pick(givenChars)
	}
	return n
}

func (g *CreditGen) Address() string {
	return fmt.Sprintf("海南省海口市%s%d号", streets[g.Rand.IntN(len(streets))], 1+g.Rand.IntN(300))
}

// codeSpace is 31^9, the 9 characters of a code after the division code; n is
// spread over it by a multiplier prime to 31 so codes do not look sequential.
const codeSpace = 26439622160671

func base31(n uint64, width int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = alphabet[n%31]
		n /= 31
	}
	return string(b)
}

// CompanyCode is the n-th company's code: 9 (工商) 1 (企业) 460100 (海口), then n spread.
func (g *CreditGen) CompanyCode(n int) string {
	return credit.CompleteCreditCode("91460100" + base31(uint64(n)*1000003%codeSpace, 9))
}

// BusinessCode is the n-th 个体工商户's code (92…).
func (g *CreditGen) BusinessCode(n int) string {
	return credit.CompleteCreditCode("92460100" + base31(uint64(n)*999983%codeSpace, 9))
}

// IDNumber is the n-th person's ID number: a Haikou district, a birth date in
// 1960–1999 and a sequence number, all told by n so that no two are equal.
func (g *CreditGen) IDNumber(n int) string {
	days := n % 14600
	seq := (n / 14600) % 1000
	district := districts[(n/14600/1000)%len(districts)]
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	return credit.CompleteIDNumber(fmt.Sprintf("%s%s%03d", district, birth.Format("20060102"), seq))
}

// day returns a date between from and to days after today, as the CSV writes it.
func (g *CreditGen) day(from, to int) string {
	return g.Today.AddDate(0, 0, from+g.Rand.IntN(to-from+1)).Format("2006-01-02")
}
