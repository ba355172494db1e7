package crm

// creditCodeChars is the alphabet of the unified social credit code
// (GB 32100-2015): digits and capitals without I, O, Z, S and V.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidCreditCode checks a unified social credit code (统一社会信用代码):
// 18 characters of the code alphabet whose last is the mod-31 check
// character of the first 17.
func ValidCreditCode(code string) bool {
	if len(code) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := indexOf(code[i])
		if v < 0 {
			return false
		}
		sum += v * creditCodeWeights[i]
	}
	check := (31 - sum%31) % 31
	return code[17] == creditCodeChars[check]
}

func indexOf(c byte) int {
	for i := 0; i < len(creditCodeChars); i++ {
		if creditCodeChars[i] == c {
			return i
		}
	}
	return -1
}
