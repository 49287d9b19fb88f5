package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"guanjia"
	"guanjia/law"
	"guanjia/store"
)

// lawUnit keeps the demo library: the justice bureau, whose staff sign in as law-sfj.
var lawUnit = guanjia.Unit{Code: "hk-sfj", Name: "海口市司法局", Department: "司法"}

func lawDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// demoLaws are a few laws with some of their articles. Texts quoted are the
// statute's; where the demo shortens an article it says so with （摘要）.
var demoLaws = []law.Law{
	{Title: "中华人民共和国人民调解法", DocNumber: "中华人民共和国主席令第三十四号", Authority: "全国人民代表大会常务委员会",
		Level: law.LevelLaw, PublishedOn: lawDay(2010, 8, 28), EffectiveOn: lawDay(2011, 1, 1), Status: law.StatusInForce,
		Articles: []law.Article{
			{Number: "第一条", Text: "为了完善人民调解制度，规范人民调解活动，及时解决民间纠纷，维护社会和谐稳定，根据宪法，制定本法。"},
			{Number: "第二条", Text: "本法所称人民调解，是指人民调解委员会通过说服、疏导等方法，促使当事人在平等协商基础上自愿达成调解协议，解决民间纠纷的活动。"},
			{Number: "第七条", Text: "人民调解委员会是依法设立的调解民间纠纷的群众性组织。"},
			{Number: "第十七条", Text: "当事人可以向人民调解委员会申请调解；人民调解委员会也可以主动调解。当事人一方明确拒绝调解的，不得调解。"},
			{Number: "第三十一条", Text: "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。人民调解委员会应当对调解协议的履行情况进行监督，督促当事人履行约定的义务。"},
			{Number: "第三十三条", Text: "（摘要）经人民调解委员会调解达成调解协议后，双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。"},
		}},
	{Title: "中华人民共和国行政许可法", DocNumber: "中华人民共和国主席令第七号", Authority: "全国人民代表大会常务委员会",
		Level: law.LevelLaw, PublishedOn: lawDay(2003, 8, 27), EffectiveOn: lawDay(2004, 7, 1), Status: law.StatusInForce,
		Articles: []law.Article{
			{Number: "第二条", Text: "本法所称行政许可，是指行政机关根据公民、法人或者其他组织的申请，经依法审查，准予其从事特定活动的行为。"},
			{Number: "第三十二条", Text: "（摘要）申请材料不齐全或者不符合法定形式的，行政机关应当当场或者在五日内一次告知申请人需要补正的全部内容；申请材料齐全、符合法定形式的，应当受理。"},
			{Number: "第四十二条", Text: "（摘要）除可以当场作出行政许可决定的外，行政机关应当自受理行政许可申请之日起二十日内作出行政许可决定；二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日。"},
		}},
	{Title: "城市市容和环境卫生管理条例", DocNumber: "中华人民共和国国务院令第101号", Authority: "国务院",
		Level: law.LevelAdmin, PublishedOn: lawDay(1992, 6, 28), EffectiveOn: lawDay(1992, 8, 1), Status: law.StatusInForce,
		Articles: []law.Article{
			{Number: "第一条", Text: "（摘要）为了加强城市市容和环境卫生管理，创造清洁、优美的城市工作、生活环境，促进城市社会主义物质文明和精神文明建设，制定本条例。"},
			{Number: "第十六条", Text: "（摘要）城市人民政府市容环境卫生行政主管部门对城市生活废弃物的收集、运输和处理实施监督管理。"},
		}},
	{Title: "海口市市容和环境卫生管理规定", Authority: "海口市人民代表大会常务委员会",
		Level: law.LevelLocal, PublishedOn: lawDay(2013, 12, 1), EffectiveOn: lawDay(2014, 3, 1), Status: law.StatusInForce,
		Articles: []law.Article{
			{Number: "第一条", Text: "（摘要）为了加强本市市容和环境卫生管理，创造整洁、优美、文明的城市环境，根据有关法律、法规，结合本市实际，制定本规定。"},
			{Number: "第十条", Text: "（摘要）临街建筑物、构筑物的外立面应当保持整洁、完好；不得在临街阳台外、窗外和屋顶吊挂、晾晒或者堆放有碍市容的物品。"},
			{Number: "第二十条", Text: "（摘要）禁止随地吐痰、便溺，禁止乱扔果皮、纸屑、烟头、饮料罐、口香糖等废弃物。"},
			{Number: "第二十五条", Text: "（摘要）携犬出户的，应当及时清除犬只在道路和其他公共场所产生的粪便。"},
		}},
}

// seedLawDemo loads the library, kept by the justice bureau, and its
// editor's account; a law already there (same title and 公布日期) is left as
// it is.
func seedLawDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	if _, err := departmentAccount(ctx, db, &lawUnit, "law-sfj", "司法局法规科"); err != nil {
		return err
	}
	added := 0
	for _, l := range demoLaws {
		l.Articles = append([]law.Article(nil), l.Articles...)
		if err := l.Validate(); err != nil {
			return fmt.Errorf("demo law %s: %w", l.Title, err)
		}
		now := time.Now().UTC()
		l.CreatedAt, l.UpdatedAt, l.Department = now, now, lawUnit.Code
		switch err := db.Laws.CreateLaw(ctx, &l); {
		case guanjia.ErrorCode(err) == guanjia.ECONFLICT: // there already; a demo of before laws had keepers is given its keeper
			if err := db.Gorm().WithContext(ctx).Exec("UPDATE laws SET department = ? WHERE title = ? AND department = '' AND created_by IS NULL",
				lawUnit.Code, l.Title).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			added++
		}
	}
	fmt.Fprintf(out, "法律法规: %d laws (%d added)\n", len(demoLaws), added)
	return nil
}
