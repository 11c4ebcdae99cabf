/**
 * The body parser against JSON.parse: every body JSON.parse takes is taken with the same value, except one with
 * a key given twice in one object, which is refused naming the object, however the JSON is spaced and whatever
 * value the kept key holds.
 */
import t from 'tap'
import { parseBody } from '../src/http/json-body.js'

const twice = (key: string, field = '(body)') => ({ message: `${field}: key "${key}" is given twice; send each key once`, field })

const rows: [text: string, refused: ReturnType<typeof twice> | undefined][] = [
  // each of the four whitespace characters JSON allows, between a key and its colon
  ['{"a" :1,"a":2}', twice('a')],
  ['{"a"\n:1,"a":2}', twice('a')],
  ['{"a"\r:1,"a":2}', twice('a')],
  ['{"a"\t:1,"a":2}', twice('a')],
  ['{"a":1,"a"\n\r\t :2}', twice('a')],
  // the kept value is a string, or a list that holds one
  ['{"a":1,"a":"x"}', twice('a')],
  ['{"a":1,"a":["x"]}', twice('a')],
  ['{"a":1,"a":[["xy"],{"b":"z"}]}', twice('a')],
  ['{"p":{"a":"xyz","a":"x"}}', twice('a', 'p')],
  // no key twice in one object: taken
  ['{"a"\n:\r"x",\t"b" : ["y", {"c"\r\n:"z"}]}', undefined],
  ['{"a":"x","b":["y"],"c":{"d":"zz"}}', undefined],
  ['["a","b",{"a":"b"}]', undefined],
  ['"a string"', undefined],
]

t.test('a body JSON.parse takes is taken as JSON.parse reads it, unless a key is given twice', async (t) => {
  for (const [text, refused] of rows) {
    const value: unknown = JSON.parse(text)
    if (refused === undefined) t.same(parseBody(text), value, JSON.stringify(text))
    else t.throws(() => parseBody(text), refused, JSON.stringify(text))
  }
})
