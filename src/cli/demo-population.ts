// Who the demo's registrations are about and how each place's clerks behave: names, habits, origins (seeded).

export const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
export const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华飞玉兰红梅鹏辉斌宇浩凯健俊帆帅旭宁峰琳雪婷倩颖';

/** How a destination keeps its registrations: the share submitted late and the share left as drafts. */
export const DESTINATION_HABITS: Record<string, { late: number; draft: number }> = {
  quzhou_kecheng: { late: 0.04, draft: 0.03 },
  wuxi_liangxi: { late: 0.09, draft: 0.05 },
  zhengzhou_jinshui: { late: 0.18, draft: 0.08 },
  wuhan_jianghan: { late: 0.07, draft: 0.04 },
  guangshui_shequ: { late: 0.14, draft: 0.1 },
};

/** How a side answers what it is sent: the share answered within the time limit, and late. The rest stays unanswered. */
export const REPLY_HABITS: Record<string, { onTime: number; late: number }> = {
  yangzhai: { onTime: 0.9, late: 0.06 },
  chenxiang: { onTime: 0.72, late: 0.14 },
  yingshan: { onTime: 0.55, late: 0.2 },
  luoshan_town: { onTime: 0.78, late: 0.1 },
  kecheng_town: { onTime: 0.84, late: 0.08 },
  quzhou_kecheng: { onTime: 0.8, late: 0.1 },
  wuxi_liangxi: { onTime: 0.7, late: 0.15 },
  zhengzhou_jinshui: { onTime: 0.5, late: 0.2 },
  wuhan_jianghan: { onTime: 0.75, late: 0.1 },
  guangshui_shequ: { onTime: 0.6, late: 0.2 },
};

/** Where people come from, and where they may go (a move within one county is not a migration). */
export const ORIGIN_GROUPS = [
  {
    weight: 0.6,
    townships: ['yangzhai', 'chenxiang', 'yingshan'],
    others: '421381',
    destinations: ['quzhou_kecheng', 'wuxi_liangxi', 'zhengzhou_jinshui', 'wuhan_jianghan'],
  },
  {
    weight: 0.25,
    townships: ['luoshan_town'],
    others: null,
    destinations: ['guangshui_shequ', 'wuhan_jianghan', 'quzhou_kecheng', 'wuxi_liangxi', 'zhengzhou_jinshui'],
  },
  { weight: 0.15, townships: ['kecheng_town'], others: '330803', destinations: ['wuxi_liangxi', 'zhengzhou_jinshui', 'wuhan_jianghan', 'guangshui_shequ'] },
];

/** A small deterministic generator, so every demo has the same people. */
export function rng(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

export function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
