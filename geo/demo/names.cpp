// Names and phone numbers of the demo's people (managers, household heads).
#include <cstdarg>
#include <cstdio>

#include "geo/demo/demo_internal.h"

namespace gw::demo_detail {

std::string strf(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

// Common surnames of western Yunnan, the frequent ones repeated; 字, 寸 and 番 are local to Longling
// and Tengchong.
const char* const kSurnames[] = {"杨", "杨", "杨", "李", "李", "李", "张", "张", "王", "王", "赵", "刘",
                                 "陈", "段", "罗", "尹", "董", "黄", "杜", "余", "马", "周", "何", "孙",
                                 "字", "番", "寸", "蒋", "郭", "苏", "闫", "邵", "许", "朱", "刀", "线"};
const char* const kGivenNames[] = {
    "建国", "志华", "小芳", "德明", "光荣", "玉兰", "春花", "国庆", "文斌", "丽萍", "正华", "家顺",
    "有才", "永福", "秀英", "海燕", "兴",   "勇",   "强",   "梅",   "明",   "红",   "卫东", "金凤",
    "永祥", "绍林", "加祥", "发顺", "开明", "云仙", "美玲", "晓东", "子豪", "雪梅", "思远", "丽华",
    "家宝", "世昌", "成林", "凤英", "继红", "国华", "应春", "树林", "德才", "连芬", "艳",   "敏",
    "涛",   "俊",   "朝富", "会仙", "玉香", "绍德", "正兴", "宏伟", "金华", "春燕", "家荣", "桂芬"};
const char* const kPhonePrefixes[] = {"130", "131", "132", "133", "135", "136", "137", "138",
                                      "139", "150", "151", "152", "153", "157", "158", "159",
                                      "180", "181", "182", "183", "187", "188", "189", "199"};

std::string person_name(Rng& r, const char* surname) {
    return std::string(surname ? surname : r.pick(kSurnames)) + r.pick(kGivenNames);
}

std::string mobile_phone(Rng& r) {
    std::string s = r.pick(kPhonePrefixes);
    for (int i = 0; i < 8; ++i) s += static_cast<char>('0' + r.integer(0, 9));
    return s;
}

}  // namespace gw::demo_detail
