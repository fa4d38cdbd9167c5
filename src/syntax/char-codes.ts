// Character codes the readers compare against (charCodeAt), named once.
export const LF = 10
export const CR = 13
export const DOUBLE_QUOTE = 34 // '"'
export const HASH = 35 // '#'
export const PERCENT = 37 // '%'
export const SINGLE_QUOTE = 39 // "'"
export const SLASH = 47 // '/'
export const LT = 60 // '<'
export const GT = 62 // '>'
export const AT = 64 // '@'
export const BACKSLASH = 92 // backslash
export const LEFT_BRACE = 123 // '{'
export const RIGHT_BRACE = 125 // '}'
