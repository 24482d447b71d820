// The Chinese label of every enum value the service shows or accepts: one source for validation messages, the bulk
// import (cells may hold the label), exports and the console (console.md, "Conventions"). API values stay English.

export const LABELS = {
  sex: { male: '男', female: '女' },
  reason: { work: '务工', business: '经商', family: '随迁投亲', study: '学习', other: '其他' },
  maritalStatus: { unmarried: '未婚', first_married: '初婚', remarried: '再婚', divorced: '离婚', widowed: '丧偶' },
  contraception: {
    none: '未采取措施',
    iud: '宫内节育器',
    implant: '皮下埋植',
    sterilization: '绝育',
    pill: '口服避孕药',
    condom: '避孕套',
    other: '其他',
  },
  certificateCheck: {
    not_required: '无需查验',
    valid: '有效',
    missing: '未提供',
    not_found: '未找到',
    revoked: '已作废',
    lapsed: '已失效',
    mismatch: '信息不符',
    undertaking: '承诺书',
  },
  inflowStatus: { draft: '草稿', active: '在册', moved_on: '已迁往他处', departed: '已离开', returned: '已返回户籍地' },
  departureKind: { departed: '迁往他处', returned: '返回户籍地' },
  outflowStatus: { active: '在外', returned: '已返回', deregistered: '已注销' },
  outflowCloseKind: { returned: '返回户籍地', deregistered: '注销' },
  contact: { effective: '已联系', none: '未联系' },
  exchangeType: {
    inflow_notice: '流入通报',
    verification_request: '协查',
    event_notice: '事项通报',
    departure_notice: '离开通报',
    outflow_notice: '流出通报',
  },
  exchangeStatus: { queued: '待投递', delivered: '已送达', replied: '已反馈', overdue: '已逾期', failed: '投递失败', withdrawn: '已撤回' },
  outcome: {
    confirmed: '核实无误',
    corrected: '信息有误',
    not_found: '查无此人',
    not_ours: '非本地户籍',
    arrived: '已到达',
    not_arrived: '未到达',
  },
  certificateStatus: { valid: '有效', revoked: '已作废', superseded: '已被替代', lapsed: '已失效' },
  role: { staff: '工作人员', supervisor: '督导', admin: '管理员', collector: '网格员' },
  declarationStatus: { pending: '待审核', accepted: '已通过', returned: '已退回', withdrawn: '已撤回' },
  level: { country: '全国', province: '省', city: '市', county: '县', township: '乡镇（街道）', village: '村（居）' },
  indicator: { submission: '信息提交率', feedback: '反馈率', effectiveContact: '有效联系率' },
  itemState: { onTime: '按时', late: '超时完成', overdue: '逾期未办', pending: '期限内待办', none: '未联系' },
  importStatus: { queued: '排队中', running: '处理中', done: '已完成', failed: '失败' },
  notificationKind: { due_soon: '即将到期', overdue: '已逾期', reply_action: '反馈待处理', import_done: '导入完成', reminder: '催办', escalation: '逾期上报' },
  interval: { month: '按月' },
  exportFormat: { csv: 'CSV', xlsx: 'Excel' },
  boolean: { true: '是', false: '否' },
  // The bulk import's columns (the template's headers), also how a refused row's field is named to a clerk.
  importColumn: {
    idNumber: '公民身份号码',
    name: '姓名',
    phone: '联系电话',
    householdCode: '户籍地代码',
    destinationCode: '现居住地代码',
    address: '现居住地址',
    arrivalDate: '到达日期',
    reason: '流动原因',
    maritalStatus: '婚姻状况',
    contraception: '避孕节育情况',
    pregnant: '是否怀孕',
    certificateNumber: '婚育证明编号',
  },
  auditAction: {
    read: '查看全文',
    lookup: '按身份证号查询',
    list: '查看明细',
    create: '新建',
    update: '修改',
    submit: '提交',
    reply: '反馈',
    revoke: '作废',
    retry: '重新投递',
    departed: '离开登记',
    returned: '返回户籍地',
    moved_on: '迁往他处',
    deregistered: '注销',
    login: '登录',
    login_failed: '登录失败',
    confirm: '确认',
  },
  auditEntity: {
    inflow: '流入登记',
    outflow: '流出登记',
    person: '人员',
    certificate: '婚育证明',
    exchange: '信息',
    user: '用户',
    import: '批量导入',
    rate_items: '考核明细',
    rate_target: '考核目标',
    reminder: '催办',
    assessment: '月度考核',
  },
} as const;

export type LabelSet = keyof typeof LABELS;

/** The values of a set, in the order people read them. */
export function valuesOf<S extends LabelSet>(set: S): (keyof (typeof LABELS)[S] & string)[] {
  return Object.keys(LABELS[set]) as (keyof (typeof LABELS)[S] & string)[];
}

/** The Chinese label of a value; an unknown value is shown as it is. */
export function labelOf(set: LabelSet, value: string): string {
  return (LABELS[set] as Record<string, string>)[value] ?? value;
}

/** `婚姻状况须为：未婚、初婚、再婚、离婚、丧偶` — what an enum field accepts, in a clerk's words. */
export function allowedMessage(fieldName: string, set: LabelSet, values: readonly string[] = valuesOf(set)): string {
  return `${fieldName}须为：${values.map((v) => labelOf(set, v)).join('、')}`;
}
