package demo

// The word tables below are the whole "knowledge" of the generator. They are
// read-only; changing any of them changes the demo catalog, which the golden
// checksum test then points out.

// option is one choice a variant can stand for: a size, colour, capacity.
// pct scales the product's base price, so a 1 TB tablet costs more than 64 GB.
type option struct {
	name, code string
	pct        int
}

// noun is a kind of product with its variant choices and a believable price
// range in major units.
type noun struct {
	name    string
	options []option
	lo, hi  int
}

// category is everything the generator knows about one aisle.
type category struct {
	slug, name, prefix string
	adjectives         []string
	materials          []string // materials, or made-up brands where no material fits
	nouns              []noun
	features           []string // lower-case predicates, made into sentences
}

var (
	clothingSizes = []option{{"XS", "XS", 100}, {"S", "S", 100}, {"M", "M", 100}, {"L", "L", 100}, {"XL", "XL", 100}, {"XXL", "XXL", 105}}
	shoeSizes     = []option{{"EU 37", "37", 100}, {"EU 38", "38", 100}, {"EU 39", "39", 100}, {"EU 40", "40", 100}, {"EU 41", "41", 100}, {"EU 42", "42", 100}, {"EU 43", "43", 100}, {"EU 44", "44", 100}, {"EU 45", "45", 100}, {"EU 46", "46", 100}}
	colours       = []option{{"Black", "BLK", 100}, {"White", "WHT", 100}, {"Navy", "NVY", 100}, {"Olive", "OLV", 100}, {"Sand", "SND", 100}, {"Charcoal", "CHR", 100}, {"Terracotta", "TER", 105}, {"Sage", "SGE", 105}}
	finishes      = []option{{"Natural", "NAT", 100}, {"Black", "BLK", 100}, {"White", "WHT", 100}, {"Walnut", "WAL", 115}}
	storage       = []option{{"64 GB", "64GB", 100}, {"128 GB", "128GB", 115}, {"256 GB", "256GB", 135}, {"512 GB", "512GB", 165}, {"1 TB", "1TB", 210}}
	sizesSML      = []option{{"Small", "S", 100}, {"Medium", "M", 130}, {"Large", "L", 165}, {"Extra Large", "XL", 200}}
	bedSizes      = []option{{"Single", "SGL", 100}, {"Double", "DBL", 125}, {"Queen", "QN", 145}, {"King", "KNG", 165}}
	panSizes      = []option{{"20 cm", "20CM", 100}, {"24 cm", "24CM", 115}, {"28 cm", "28CM", 130}, {"32 cm", "32CM", 150}}
	packs         = []option{{"Single", "1PK", 100}, {"Pack of 2", "2PK", 190}, {"Pack of 4", "4PK", 360}, {"Pack of 8", "8PK", 680}}
	standard      = []option{{"Standard", "STD", 100}}
	pieces        = []option{{"50 pieces", "50PC", 100}, {"100 pieces", "100PC", 160}, {"250 pieces", "250PC", 240}, {"500 pieces", "500PC", 330}}
	weightsKg     = []option{{"2 kg", "2KG", 100}, {"5 kg", "5KG", 180}, {"10 kg", "10KG", 320}, {"20 kg", "20KG", 560}}
	ballSizes     = []option{{"Size 3", "S3", 100}, {"Size 4", "S4", 100}, {"Size 5", "S5", 105}}
	bottles       = []option{{"500 ml", "500ML", 100}, {"750 ml", "750ML", 115}, {"1 l", "1L", 130}}
	volumes       = []option{{"30 ml", "30ML", 100}, {"50 ml", "50ML", 150}, {"100 ml", "100ML", 250}, {"200 ml", "200ML", 400}}
	formats       = []option{{"Paperback", "PB", 100}, {"Hardcover", "HC", 170}, {"Ebook", "EB", 60}, {"Audiobook", "AUD", 140}}
	weightsG      = []option{{"250 g", "250G", 100}, {"500 g", "500G", 180}, {"1 kg", "1KG", 330}, {"2 kg", "2KG", 600}}
	packCapacity  = []option{{"20 l", "20L", 100}, {"30 l", "30L", 115}, {"45 l", "45L", 135}, {"65 l", "65L", 160}}
	tentSizes     = []option{{"1-person", "1P", 100}, {"2-person", "2P", 130}, {"3-person", "3P", 160}, {"4-person", "4P", 190}}
	bagLengths    = []option{{"Regular", "REG", 100}, {"Long", "LNG", 110}}
)

// closings end every description; they are what any shop says.
var closings = []string{
	"Ships within two working days.",
	"Free returns within 30 days.",
	"Backed by our two-year guarantee.",
	"Packed in recycled, plastic-free packaging.",
	"A customer favourite since our first season.",
	"Designed in-house and made to last.",
}

var categories = []category{
	{
		slug: "apparel", name: "Apparel", prefix: "APP",
		adjectives: []string{"Classic", "Relaxed", "Slim", "Everyday", "Heritage", "Soft", "Lightweight", "Cropped", "Oversized", "Essential"},
		materials:  []string{"Cotton", "Linen", "Merino", "Denim", "Fleece", "Flannel", "Jersey", "Twill", "Corduroy", "Cashmere"},
		nouns: []noun{
			{"T-Shirt", clothingSizes, 15, 45}, {"Hoodie", clothingSizes, 45, 110}, {"Sweater", clothingSizes, 55, 160},
			{"Shirt", clothingSizes, 35, 95}, {"Jacket", clothingSizes, 80, 240}, {"Chinos", clothingSizes, 45, 110},
			{"Joggers", clothingSizes, 35, 85}, {"Cardigan", clothingSizes, 55, 150}, {"Dress", clothingSizes, 50, 180},
			{"Polo", clothingSizes, 30, 75}, {"Overshirt", clothingSizes, 55, 130}, {"Scarf", colours, 20, 90},
		},
		features: []string{
			"cut for an easy, relaxed fit that works from desk to dinner",
			"garment-dyed for a lived-in colour that softens with every wash",
			"made from responsibly sourced fibres and finished with flat seams",
			"a wardrobe staple with reinforced stitching where it matters",
			"pre-shrunk, so the size you order is the size you keep",
		},
	},
	{
		slug: "shoes", name: "Shoes", prefix: "SHO",
		adjectives: []string{"Everyday", "Trail", "Court", "Classic", "Cushioned", "Retro", "Lightweight", "All-Weather", "Minimal", "Urban"},
		materials:  []string{"Leather", "Suede", "Canvas", "Knit", "Mesh", "Nubuck", "Cork", "Vegan Leather"},
		nouns: []noun{
			{"Sneakers", shoeSizes, 55, 160}, {"Runners", shoeSizes, 70, 190}, {"Loafers", shoeSizes, 70, 180},
			{"Boots", shoeSizes, 90, 240}, {"Chelsea Boots", shoeSizes, 100, 260}, {"Sandals", shoeSizes, 30, 95},
			{"Slip-Ons", shoeSizes, 40, 95}, {"Hiking Boots", shoeSizes, 110, 260}, {"Derbies", shoeSizes, 90, 220},
			{"Slippers", shoeSizes, 20, 60},
		},
		features: []string{
			"built on a cushioned footbed for all-day comfort",
			"finished with a grippy rubber outsole that handles wet pavements",
			"stitched to last and easy to resole",
			"true to size, with a roomy toe box",
			"light enough to pack and sturdy enough to live in",
		},
	},
	{
		slug: "electronics", name: "Electronics", prefix: "ELE",
		adjectives: []string{"Wireless", "Compact", "Portable", "Smart", "Ultra", "Pro", "Slim", "Rugged", "Mini", "Max"},
		materials:  []string{"Voltix", "Nimbus", "Arclight", "Quanta", "Lumen", "Pulsar", "Zephyr", "Helix", "Orbit", "Vanta"},
		nouns: []noun{
			{"Headphones", colours, 59, 349}, {"Earbuds", colours, 39, 249}, {"Speaker", colours, 29, 299},
			{"Smartwatch", colours, 99, 449}, {"Tablet", storage, 199, 899}, {"Phone", storage, 249, 1099},
			{"Power Bank", colours, 19, 79}, {"Action Camera", storage, 149, 499}, {"E-Reader", storage, 89, 249},
			{"Keyboard", colours, 39, 189}, {"SSD Drive", storage, 49, 199},
		},
		features: []string{
			"tuned for long battery life and charged over USB-C",
			"paired in seconds and updated over the air",
			"built with a recycled aluminium shell that shrugs off knocks",
			"compact enough for a jacket pocket, powerful enough for the office",
			"covered by a two-year warranty and free repairs",
		},
	},
	{
		slug: "home", name: "Home & Living", prefix: "HOM",
		adjectives: []string{"Cozy", "Woven", "Scandi", "Rustic", "Modern", "Handmade", "Textured", "Coastal", "Minimal", "Vintage"},
		materials:  []string{"Linen", "Wool", "Oak", "Rattan", "Ceramic", "Jute", "Velvet", "Cotton", "Walnut", "Stoneware"},
		nouns: []noun{
			{"Throw Blanket", colours, 35, 140}, {"Cushion Cover", colours, 15, 45}, {"Rug", sizesSML, 60, 380},
			{"Vase", sizesSML, 19, 89}, {"Table Lamp", colours, 45, 240}, {"Wall Mirror", sizesSML, 55, 290},
			{"Duvet Cover", bedSizes, 49, 180}, {"Curtains", colours, 39, 150}, {"Side Table", finishes, 79, 320},
			{"Candle", sizesSML, 12, 48},
		},
		features: []string{
			"made in small batches, so no two are quite alike",
			"designed to bring warmth and texture to any room",
			"finished by hand with natural, low-VOC treatments",
			"easy to care for and built for everyday living",
			"a quiet piece that pairs with almost anything",
		},
	},
	{
		slug: "kitchen", name: "Kitchen & Dining", prefix: "KIT",
		adjectives: []string{"Professional", "Everyday", "Nonstick", "Classic", "Compact", "Heavy-Duty", "Artisan", "Modern", "Essential", "Bistro"},
		materials:  []string{"Cast Iron", "Stainless", "Copper", "Enamel", "Bamboo", "Ceramic", "Carbon Steel", "Glass", "Porcelain", "Olive Wood"},
		nouns: []noun{
			{"Frying Pan", panSizes, 29, 149}, {"Saucepan", panSizes, 35, 160}, {"Dutch Oven", colours, 79, 329},
			{"Chef Knife", panSizes, 39, 189}, {"Cutting Board", sizesSML, 19, 79}, {"Mixing Bowl Set", sizesSML, 24, 89},
			{"Kettle", colours, 39, 149}, {"Coffee Grinder", colours, 29, 199}, {"Mug Set", packs, 9, 29},
			{"Serving Platter", sizesSML, 19, 85},
		},
		features: []string{
			"oven-safe and happy on every hob, induction included",
			"balanced and comfortable in the hand for long prep sessions",
			"built to be handed down, not thrown out",
			"dishwasher-safe, though a quick rinse keeps it looking new",
			"chosen by our test kitchen after months of daily use",
		},
	},
	{
		slug: "garden", name: "Garden", prefix: "GAR",
		adjectives: []string{"Hardy", "Heirloom", "Compact", "Weatherproof", "Classic", "Ergonomic", "Rustic", "Deluxe", "Everyday", "Folding"},
		materials:  []string{"Galvanised", "Terracotta", "Teak", "Cedar", "Steel", "Willow", "Resin", "Bamboo", "Copper", "Zinc"},
		nouns: []noun{
			{"Planter", sizesSML, 15, 120}, {"Watering Can", colours, 19, 59}, {"Trowel", standard, 9, 29},
			{"Pruning Shears", standard, 15, 69}, {"Raised Bed", sizesSML, 69, 260}, {"Bird Feeder", colours, 15, 49},
			{"Hose Reel", sizesSML, 35, 129}, {"Garden Bench", finishes, 149, 499}, {"Seed Tray", packs, 5, 19},
			{"Plant Stand", sizesSML, 25, 99},
		},
		features: []string{
			"made to stay outside through every season",
			"sized for balconies and big gardens alike",
			"treated against rust and rot without harsh chemicals",
			"light to carry and solid once it is in place",
			"a gardener's favourite that gets better with age",
		},
	},
	{
		slug: "toys", name: "Toys & Games", prefix: "TOY",
		adjectives: []string{"Wooden", "Classic", "Deluxe", "Mini", "Jumbo", "Magnetic", "Musical", "Rainbow", "Giant", "Pocket"},
		materials:  []string{"Pinewood", "Bramble", "Tumble", "Sprout", "Wiggle", "Cosmo", "Acorn", "Puddle", "Button", "Pebble"},
		nouns: []noun{
			{"Building Blocks", pieces, 15, 69}, {"Train Set", standard, 29, 129}, {"Jigsaw Puzzle", pieces, 9, 35},
			{"Plush Bear", colours, 12, 45}, {"Kite", colours, 15, 49}, {"Marble Run", pieces, 25, 99},
			{"Doll House", standard, 59, 219}, {"Robot Kit", standard, 35, 149}, {"Board Game", standard, 19, 59},
			{"Play Tent", colours, 39, 119},
		},
		features: []string{
			"tested for safety and finished with non-toxic paints",
			"designed to grow with your child from toddler to ten",
			"built for open-ended play that lasts well past the first afternoon",
			"sturdy enough for the playroom floor and the garden",
			"packed in a box that doubles as storage",
		},
	},
	{
		slug: "sports", name: "Sports & Fitness", prefix: "SPO",
		adjectives: []string{"Pro", "Training", "Performance", "Lightweight", "Adjustable", "Competition", "Indoor", "Everyday", "Elite", "Endurance"},
		materials:  []string{"Carbon", "Neoprene", "Rubber", "Aluminium", "Foam", "Nylon", "Steel", "Cork", "Mesh", "Graphite"},
		nouns: []noun{
			{"Yoga Mat", colours, 25, 89}, {"Dumbbells", weightsKg, 19, 79}, {"Kettlebell", weightsKg, 25, 89},
			{"Resistance Bands", packs, 9, 35}, {"Tennis Racket", standard, 49, 229}, {"Skipping Rope", standard, 9, 35},
			{"Football", ballSizes, 15, 49}, {"Cycling Gloves", clothingSizes, 19, 49}, {"Water Bottle", bottles, 12, 39},
			{"Foam Roller", sizesSML, 15, 49}, {"Gym Bag", packCapacity, 29, 99},
		},
		features: []string{
			"tested by club athletes through a full season",
			"grippy when you sweat and easy to wipe clean",
			"made for the gym, the park and the living-room floor",
			"built to take a beating without losing its shape",
			"light enough to carry to every session",
		},
	},
	{
		slug: "beauty", name: "Beauty & Care", prefix: "BEA",
		adjectives: []string{"Hydrating", "Gentle", "Nourishing", "Brightening", "Soothing", "Daily", "Overnight", "Revitalising", "Pure", "Radiant"},
		materials:  []string{"Rosehip", "Aloe", "Shea", "Argan", "Vitamin C", "Hyaluronic", "Charcoal", "Green Tea", "Oat", "Jojoba"},
		nouns: []noun{
			{"Face Cream", volumes, 14, 69}, {"Serum", volumes, 19, 89}, {"Cleanser", volumes, 9, 35},
			{"Body Lotion", volumes, 8, 32}, {"Shampoo", volumes, 7, 29}, {"Conditioner", volumes, 7, 29},
			{"Lip Balm", packs, 4, 12}, {"Face Mask", packs, 6, 25}, {"Hand Cream", volumes, 6, 24},
			{"Body Wash", volumes, 6, 22},
		},
		features: []string{
			"dermatologically tested and suitable for sensitive skin",
			"made without parabens, sulfates or synthetic fragrance",
			"absorbs quickly and leaves no greasy finish",
			"packed in recyclable glass and refillable where we can",
			"a small-batch formula our customers keep coming back to",
		},
	},
	{
		slug: "books", name: "Books", prefix: "BOO",
		adjectives: []string{"Silent", "Hidden", "Last", "Golden", "Wild", "Midnight", "Forgotten", "Crimson", "Endless", "Quiet"},
		materials:  []string{"Harbor", "Garden", "River", "Mountain", "Kingdom", "Lantern", "Orchard", "Ocean", "Winter", "Meadow"},
		nouns: []noun{
			{"Chronicles", formats, 9, 29}, {"Cookbook", formats, 15, 45}, {"Field Guide", formats, 12, 35},
			{"Atlas", formats, 19, 59}, {"Journal", formats, 9, 25}, {"Mysteries", formats, 8, 24},
			{"Handbook", formats, 12, 39}, {"Poems", formats, 8, 22}, {"Saga", formats, 9, 29},
			{"Diaries", formats, 9, 27},
		},
		features: []string{
			"a page-turner critics called impossible to put down",
			"beautifully illustrated and printed on FSC-certified paper",
			"the book our staff have pressed into everyone's hands this year",
			"a modern classic, newly edited with an introduction by the author",
			"perfect for long evenings and longer train rides",
		},
	},
	{
		slug: "grocery", name: "Grocery", prefix: "GRO",
		adjectives: []string{"Organic", "Roasted", "Wild", "Smoked", "Stone-Ground", "Cold-Pressed", "Sun-Dried", "Raw", "Artisan", "Fair-Trade"},
		materials:  []string{"Arabica", "Almond", "Honey", "Olive", "Hazelnut", "Oat", "Cacao", "Chilli", "Sea Salt", "Coconut"},
		nouns: []noun{
			{"Coffee Beans", weightsG, 7, 24}, {"Granola", weightsG, 4, 12}, {"Spread", weightsG, 4, 14},
			{"Oil", bottles, 6, 24}, {"Crackers", packs, 2, 6}, {"Chocolate Bar", packs, 2, 7},
			{"Loose Tea", weightsG, 5, 19}, {"Pasta", weightsG, 2, 8}, {"Muesli", weightsG, 4, 11},
			{"Trail Mix", weightsG, 4, 13},
		},
		features: []string{
			"sourced directly from small producers we visit every year",
			"made in small batches with nothing artificial added",
			"a pantry staple that tastes like it came from a market stall",
			"packed fresh and best enjoyed within a few weeks of opening",
			"certified organic and traceable to the farm",
		},
	},
	{
		slug: "outdoors", name: "Outdoors", prefix: "OUT",
		adjectives: []string{"Ultralight", "Alpine", "Waterproof", "Packable", "Expedition", "Trail", "Insulated", "All-Season", "Compact", "Backcountry"},
		materials:  []string{"Ripstop", "Ridgeline", "Down", "Summit", "Canvas", "Titanium", "Timber", "Basecamp", "Northwind", "Granite"},
		nouns: []noun{
			{"Backpack", packCapacity, 59, 249}, {"Tent", tentSizes, 129, 599}, {"Sleeping Bag", bagLengths, 79, 399},
			{"Headlamp", colours, 19, 79}, {"Camping Stove", standard, 39, 149}, {"Rain Jacket", clothingSizes, 79, 299},
			{"Trekking Poles", standard, 39, 149}, {"Hammock", colours, 29, 99}, {"Water Filter", standard, 25, 89},
			{"Dry Bag", packCapacity, 15, 49},
		},
		features: []string{
			"field-tested on long trails in every kind of weather",
			"light enough to forget you packed it",
			"built with repairable parts and a lifetime repair promise",
			"sets up in minutes, even with cold hands",
			"tough enough for expeditions, simple enough for a weekend",
		},
	},
}
