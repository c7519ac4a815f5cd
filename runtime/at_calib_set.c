/* Calibration sentences for the int16 scales (at_quant_build_ids). They
 * are kept apart from every test and benchmark set (tests/data/sentences/):
 * a scale calibrated on the sentences it is tested on would hide clipping.
 * Varied on purpose: short and long, questions, numbers, names, code-like
 * text, accents, and paragraphs long enough for long-range attention. */
#include "at_quant.h"

const char *const at_calib_sentences[] = {
    "A man is eating food.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Two men pushed carts through the woods.",
    "The new movie is awesome!",
    "The cat sits outside in the garden, watching the birds.",
    "Do you know where the nearest train station is?",
    "I love pasta with tomato sauce and fresh basil.",
    "Stock markets fell by 3.5% on Tuesday after the announcement.",
    "The meeting has been moved to 10:30 on Friday, 14 March 2025.",
    "She scored 27 points in the final quarter.",
    "Water boils at 100 degrees Celsius at sea level.",
    "Please restart the server and check the logs in /var/log/syslog.",
    "The function returns -1 when the input is NULL.",
    "Café au lait, crème brûlée and a croissant, s'il vous plaît.",
    "Zürich, München and Kraków are popular destinations in winter.",
    "Why is the sky blue?",
    "Thanks!",
    "OK",
    "What time does the museum open on Sundays?",
    "The quick brown fox jumps over the lazy dog.",
    "Heavy rain caused flooding in several northern districts overnight.",
    "My laptop battery only lasts about two hours now.",
    "The committee approved the budget of $4.2 million for the new library.",
    "He plays the violin in a small orchestra every weekend.",
    "Machine learning models can be compressed by pruning and quantization.",
    "The patient was given 500 mg of paracetamol twice a day.",
    "Our flight was delayed because of a technical problem with the engine.",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "Is it possible to change my reservation to a later date?",
    "The children built a sandcastle on the beach and decorated it with shells.",
    "According to the report, unemployment dropped to 4.1 percent in the third quarter, the lowest level in "
    "more than a decade, while wages grew faster than inflation for the first time since the pandemic began.",
    "The old lighthouse stands on a rocky cliff at the edge of the island. For more than a century its beam "
    "guided fishing boats safely into the harbour, until an automatic light replaced the keeper in 1987. "
    "Today the building is a small museum, and visitors can climb the narrow spiral staircase to the top.",
    "To install the package, download the archive, unpack it into a folder of your choice and run the setup "
    "script. The script checks the dependencies, asks for the installation path and writes a configuration "
    "file. If anything fails, the log file in the same folder explains what went wrong and how to fix it.",
    "Researchers at the university measured the temperature of the lake every hour for three years. They "
    "found that the surface warmed by almost half a degree per decade, faster than the air above it, and "
    "that the ice now forms about two weeks later in the autumn than it did in the 1970s. The changes affect "
    "the fish, the plankton and the birds that depend on them.",
    "In the small village where my grandmother grew up, every family kept chickens, a goat or two and a "
    "vegetable garden. Bread was baked once a week in a shared oven, and on market days the square filled "
    "with carts of apples, cheese and wool. She still remembers the smell of the bakery and the sound of the "
    "church bells on Sunday mornings, and she tells the same stories every time we visit her.",
    "The algorithm first sorts the input in O(n log n) time, then scans it once to merge overlapping "
    "intervals; the total cost is dominated by the sort.",
    "Señora García llegó a Málaga el lunes.",
    "I'm not sure whether we should take the bus or walk.",
    "The orchestra performed Beethoven's Ninth Symphony to a sold-out hall.",
};

const size_t at_calib_sentence_count = sizeof at_calib_sentences / sizeof at_calib_sentences[0];
