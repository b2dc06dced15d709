Y ACONTECIÓ en los días que gobernaban los jueces, que hubo hambre en la tierra. Y un varón de Beth-lehem de Judá, fué á peregrinar en los campos de Moab, él y su mujer, y dos hijos suyos.
El nombre de aquel varón era Elimelech, y el de su mujer Noemi; y los nombres de sus dos hijos eran, Mahalón y Chelión, Ephrateos de Beth-lehem de Judá. Llegaron pues á los campos de Moab, y asentaron allí.
Y murió Elimelech, marido de Noemi, y quedó ella con sus dos hijos;
Los cuales tomaron para sí mujeres de Moab, el nombre de la una Orpha, y el nombre de la otra Ruth; y habitaron allí unos diez años.
Y murieron también los dos, Mahalón y Chelión, quedando así la mujer desamparada de sus dos hijos y de su marido.
Entonces se levantó con sus nueras, y volvióse de los campos de Moab: porque oyó en el campo de Moab que Jehová había visitado á su pueblo para darles pan.
Salió pues del lugar donde había estado, y con ella sus dos nueras, y comenzaron á caminar para volverse á la tierra de Judá.
Y Noemi dijo á sus dos nueras: Andad, volveos cada una á la casa de su madre: Jehová haga con vosotras misericordia, como la habéis hecho con los muertos y conmigo.
Déos Jehová que halléis descanso, cada una en casa de su marido: besólas luego, y ellas lloraron á voz en grito.
Y dijéronle: Ciertamente nosotras volveremos contigo á tu pueblo.
Y Noemi respondió: Volveos, hijas mías: ¿para qué habéis de ir conmigo? ¿tengo yo más hijos en el vientre, que puedan ser vuestros maridos?
Volveos, hijas mías, é idos; que yo ya soy vieja para ser para varón. Y aunque dijese: Esperanza tengo; y esta noche fuese con varón, y aun pariese hijos;
¿Habíais vosotras de esperarlos hasta que fuesen grandes? ¿habías vosotras de quedaros sin casar por amor de ellos? No, hijas mías; que mayor amargura tengo yo que vosotras, pues la mano de Jehová ha salido contra mí.
Mas ellas alzando otra vez su voz, lloraron: y Orpha besó á su suegra, mas Ruth se quedó con ella.
Y Noemi dijo: He aquí tu cuñada se ha vuelto á su pueblo y á sus dioses; vuélvete tú tras ella.
Y Ruth respondió: No me ruegues que te deje, y me aparte de ti: porque donde quiera que tú fueres, iré yo; y donde quiera que vivieres, viviré. Tu pueblo será mi pueblo, y tu Dios mi Dios.
Donde tú murieres, moriré yo, y allí seré sepultada: así me haga Jehová, y así me dé, que sólo la muerte hará separación entre mí y ti.
Y viendo Noemi que estaba tan resuelta á ir con ella, dejó de hablarle.
Anduvieron pues ellas dos hasta que llegaron á Beth-lehem: y aconteció que entrando en Beth-lehem, toda la ciudad se conmovió por razón de ellas, y decían: ¿No es ésta Noemi?
Y ella les respondía: No me llaméis Noemi, sino llamadme Mara: porque en grande amargura me ha puesto el Todopoderoso.
Yo me fuí llena, mas vacía me ha vuelto Jehová. ¿Por qué me llamaréis Noemi, ya que Jehová ha dado testimonio contra mí, y el Todopoderoso me ha afligido?
Así volvió Noemi y Ruth Moabita su nuera con ella; volvió de los campos de Moab, y llegaron á Beth-lehem en el principio de la siega de las cebadas.
Y TENÍA Noemi un pariente de su marido, varón poderoso y de hecho, de la familia de Elimelech, el cual se llamaba Booz.
Y Ruth la Moabita dijo á Noemi: Ruégote que me dejes ir al campo, y cogeré espigas en pos de aquel á cuyos ojos hallare gracia. Y ella le respondió: Ve, hija mía.
Fué pues, y llegando, espigó en el campo en pos de los segadores: y aconteció por ventura, que la suerte del campo era de Booz, el cual era de la parentela de Elimelech.
Y he aquí que Booz vino de Beth-lehem, y dijo á los segadores: Jehová sea con vosotros. Y ellos respondieron: Jehová te bendiga.
Y Booz dijo á su criado el sobrestante de los segadores: ¿Cúya es esta moza?
Y el criado, sobrestante de los segadores, respondió y dijo: Es la moza de Moab, que volvió con Noemi de los campos de Moab;
Y ha dicho: Ruégote que me dejes coger y juntar tras los segadores entre las gavillas: entró pues, y está desde por la mañana hasta ahora, menos un poco que se detuvo en casa.
Entonces Booz dijo á Ruth: Oye, hija mía, no vayas á espigar á otro campo, ni pases de aquí: y aquí estarás con mis mozas.
Mira bien al campo que segaren, y síguelas: porque yo he mandado á los mozos que no te toquen. Y si tuvieres sed, ve á los vasos, y bebe del agua que sacaren los mozos.
Ella entonces bajando su rostro inclinóse á tierra, y díjole: ¿Por qué he hallado gracia en tus ojos para que tú me reconozcas, siendo yo extranjera?
Y respondiendo Booz, díjole: Por cierto se me ha declarado todo lo que has hecho con tu suegra después de la muerte de tu marido, y que dejando á tu padre y á tu madre y la tierra donde naciste, has venido á pueblo que no conociste antes.
Jehová galardone tu obra, y tu remuneración sea llena por Jehová Dios de Israel, que has venido para cubrirte debajo de sus alas.
Y ella dijo: Señor mío, halle yo gracia delante de tus ojos; porque me has consolado, y porque has hablado al corazón de tu sierva, no siendo yo como una de tus criadas.
Y Booz le dijo á la hora de comer: Allégate aquí, y come del pan, y moja tu bocado en el vinagre. Y sentóse ella junto á los segadores, y él le dió del potaje, y comió hasta que se hartó y le sobró.
Levantóse luego para espigar. Y Booz mandó á sus criados, diciendo: Coja también espigas entre las gavillas, y no la avergoncéis;
Antes echaréis á sabiendas de los manojos, y la dejaréis que coja, y no la reprendáis.
Y espigó en el campo hasta la tarde, y desgranó lo que había cogido, y fué como un epha de cebada.
Y tomólo, y vínose á la ciudad; y su suegra vió lo que había cogido. Sacó también luego lo que le había sobrado después de harta, y dióselo.
Y díjole su suegra: ¿Dónde has espigado hoy? ¿y dónde has trabajado? bendito sea el que te ha reconocido. Y ella declaró á su suegra lo que le había acontecido con aquél, y dijo: El nombre del varón con quien hoy he trabajado es Booz.
Y dijo Noemi á su nuera: Sea él bendito de Jehová, pues que no ha rehusado á los vivos la benevolencia que tuvo para con los finados. Díjole después Noemi: Nuestro pariente es aquel varón, y de nuestros redentores es.
Y Ruth Moabita dijo: A más de esto me ha dicho: Júntate con mis criados, hasta que hayan acabado toda mi siega.
Y Noemi respondió á Ruth su nuera: Mejor es, hija mía, que salgas con sus criadas, que no que te encuentren en otro campo.
Estuvo pues junta con las mozas de Booz espigando, hasta que la siega de las cebadas y la de los trigos fué acabada; mas con su suegra habitó.
Y DÍJOLE su suegra Noemi: Hija mía, ¿no te tengo de buscar descanso, que te sea bueno?
¿No es Booz nuestro pariente, con cuyas mozas tú has estado? He aquí que él avienta esta noche la parva de las cebadas.
Te lavarás pues, y te ungirás, y vistiéndote tus vestidos, pasarás á la era; mas no te darás á conocer al varón hasta que él haya acabado de comer y de beber.
Y cuando él se acostare, repara tú el lugar donde él se acostará, é irás, y descubrirás los pies, y te acostarás allí; y él te dirá lo que hayas de hacer.
Y le respondió: Haré todo lo que tú me mandares.
Descendió pues á la era, é hizo todo lo que su suegra le había mandado.
Y como Booz hubo comido y bebido, y su corazón estuvo contento, retiróse á dormir á un lado del montón. Entonces ella vino calladamente, y descubrió los pies, y acostóse.
Y aconteció, que á la media noche se estremeció aquel hombre, y palpó: y he aquí, la mujer que estaba acostada á sus pies.
Entonces él dijo: ¿Quién eres? Y ella respondió: Yo soy Ruth tu sierva: extiende el borde de tu capa sobre tu sierva, por cuanto eres pariente cercano.
Y él dijo: Bendita seas tú de Jehová, hija mía; que has hecho mejor tu postrera gracia que la primera, no yendo tras los mancebos, sean pobres ó ricos.
Ahora pues, no temas, hija mía: yo haré contigo lo que tú dijeres, pues que toda la puerta de mi pueblo sabe que eres mujer virtuosa.
Y ahora, aunque es cierto que yo soy pariente cercano, con todo eso hay pariente más cercano que yo.
Reposa esta noche, y cuando sea de día, si él te redimiere, bien, redímate; mas si él no te quisiere redimir, yo te redimiré, vive Jehová. Descansa pues hasta la mañana.
Y después que reposó á sus pies hasta la mañana, levantóse, antes que nadie pudiese conocer á otro. Y él dijo: No se sepa que haya venido mujer á la era.
Después le dijo: Llega el lienzo que traes sobre ti, y ten de él. Y teniéndolo ella, él midió seis medidas de cebada, y púsoselas á cuestas: y vínose ella á la ciudad.
Así que vino á su suegra, ésta le dijo: ¿Qué pues, hija mía? Y declaróle ella todo lo que con aquel varón le había acontecido.
Y dijo: Estas seis medidas de cebada me dió, diciéndome: Porque no vayas vacía á tu suegra.
Entonces Noemi dijo: Reposa, hija mía, hasta que sepas cómo cae la cosa: porque aquel hombre no parará hasta que hoy concluya el negocio.
Y BOOZ subió á la puerta y sentóse allí: y he aquí pasaba aquel pariente del cual había Booz hablado, y díjole: Eh, fulano, ven acá y siéntate. Y él vino, y sentóse.
Entonces él tomó diez varones de los ancianos de la ciudad, y dijo: Sentaos aquí. Y ellos se sentaron.
Luego dijo al pariente: Noemi, que ha vuelto del campo de Moab, vende una parte de las tierras que tuvo nuestro hermano Elimelech;
Y yo decidí hacértelo saber, y decirte que la tomes delante de los que están aquí sentados, y delante de los ancianos de mi pueblo. Si hubieres de redimir, redime; y si no quisieres redimir, decláramelo para que yo lo sepa: porque no hay otro que redima sino tú, y yo después de ti. Y él respondió: Yo redimiré.
Entonces replicó Booz: El mismo día que tomares las tierras de mano de Noemi, has de tomar también á Ruth Moabita, mujer del difunto, para que suscites el nombre del muerto sobre su posesión.
Y respondió el pariente: No puedo redimir por mi parte, porque echaría á perder mi heredad: redime tú usando de mi derecho, porque yo no podré redimir.
Había ya de largo tiempo esta costumbre en Israel en la redención ó contrato, que para la confirmación de cualquier negocio, el uno se quitaba el zapato y lo daba á su compañero: y este era el testimonio en Israel.
Entonces el pariente dijo á Booz: Tómalo tú. Y descalzó su zapato.
Y Booz dijo á los ancianos y á todo el pueblo: Vosotros sois hoy testigos de que tomo todas las cosas que fueron de Elimelech, y todo lo que fué de Chelión y de Mahalón, de mano de Noemi;
Y que también tomo por mi mujer á Ruth Moabita, mujer de Mahalón, para suscitar el nombre del difunto sobre su heredad, para que el nombre del muerto no se borre de entre sus hermanos y de la puerta de su lugar. Vosotros sois hoy testigos.
Y dijeron todos los del pueblo que estaban á la puerta con los ancianos: Testigos somos. Jehová haga á la mujer que entra en tu casa como á Rachêl y á Lea, las cuales dos edificaron la casa de Israel; y tú seas ilustre en Ephrata, y tengas nombradía en Beth-lehem;
Y de la simiente que Jehová te diere de aquesta moza, sea tu casa como la casa de Phares, al que parió Thamar á Judá.
Booz pues tomó á Ruth, y ella fué su mujer; y luego que entró á ella, Jehová le dió que concibiese y pariese un hijo.
Y las mujeres decían á Noemi: Loado sea Jehová, que hizo que no te faltase hoy pariente, cuyo nombre será nombrado en Israel.
El cual será restaurador de tu alma, y el que sustentará tu vejez; pues que tu nuera, la cual te ama y te vale más que siete hijos, le ha parido.
Y tomando Noemi el hijo, púsolo en su regazo, y fuéle su ama.
Y las vecinas diciendo, A Noemi ha nacido un hijo, le pusieron nombre; y llamáronle Obed. Este es padre de Isaí, padre de David.
Y estas son las generaciones de Phares: Phares engendró á Hesrón;
Y Hesrón engendró á Ram, y Ram engendró á Aminadab;
Y Aminadab engendró á Nahasón, y Nahasón engendró á Salmón;
Y Salmón engendró á Booz, y Booz engendró á Obed;
Y Obed engendró á Isaí, é Isaí engendró á David.
Y ACONTECIÓ en los días de Assuero, (el Assuero que reinó desde la India hasta la Etiopía sobre ciento veinte y siete provincias,)
Que en aquellos días, asentado que fué el rey Assuero en la silla de su reino, la cual estaba en Susán capital del reino,
En el tercer año de su reinado hizo banquete á todos sus príncipes y siervos, teniendo delante de él la fuerza de Persia y de Media, gobernadores y príncipes de provincias,
Para mostrar él las riquezas de la gloria de su reino, y el lustre de la magnificencia de su poder, por muchos días, ciento y ochenta días.
Y cumplidos estos días, hizo el rey banquete por siete días en el patio del huerto del palacio real á todo el pueblo, desde el mayor hasta el menor que se halló en Susán capital del reino.
El pabellón era de blanco, verde, y cárdeno, tendido sobre cuerdas de lino y púrpura en sortijas de plata y columnas de mármol: los reclinatorios de oro y de plata, sobre losado de pórfido y de mármol, y de alabastro y de jacinto.
Y daban á beber en vasos de oro, y vasos diferentes unos de otros, y mucho vino real, conforme á la facultad del rey.
Y la bebida fué según esta ley: Que nadie constriñese; porque así lo había mandado el rey á todos los mayordomos de su casa; que se hiciese según la voluntad de cada uno.
Asimismo la reina Vasthi hizo banquete de mujeres, en la casa real del rey Assuero.
El séptimo día, estando el corazón del rey alegre del vino, mandó á Mehumán, y á Biztha, y á Harbona, y á Bigtha, y á Abagtha, y á Zetar, y á Carcas, siete eunucos que servían delante del rey Assuero,
Que trajesen á la reina Vasthi delante del rey con la corona regia, para mostrar á los pueblos y á los príncipes su hermosura; porque era linda de aspecto.
Mas la reina Vasthi no quiso comparecer á la orden del rey, enviada por mano de los eunucos; y enojóse el rey muy mucho, y encendióse en él su ira.
Preguntó entonces el rey á los sabios que sabían los tiempos, (porque así era la costumbre del rey para con todos los que sabían la ley y el derecho;
Y estaban junto á él, Carsena, y Sethar, y Admatha, y Tharsis, y Meres, y Marsena, y Memucán, siete príncipes de Persia y de Media que veían la cara del rey, y se sentaban los primeros del reino:)
Qué se había de hacer según la ley con la reina Vasthi, por cuanto no había cumplido la orden del rey Assuero, enviada por mano de los eunucos.
Y dijo Memucán delante del rey y de los príncipes: No solamente contra el rey ha pecado la reina Vasthi, sino contra todos los príncipes, y contra todos los pueblos que hay en todas las provincias del rey Assuero.
Porque este hecho de la reina pasará á noticia de todas las mujeres, para hacerles tener en poca estima á sus maridos, diciendo: El rey Assuero mandó traer delante de sí á la reina Vasthi, y ella no vino.
Y entonces dirán esto las señoras de Persia y de Media que oyeren el hecho de la reina, á todos los príncipes del rey: y habrá mucho menosprecio y enojo.
Si parece bien al rey, salga mandamiento real delante de él, y escríbase entre las leyes de Persia y de Media, y no sea traspasado: Que no venga más Vasthi delante del rey Assuero: y dé el rey su reino á su compañera que sea mejor que ella.
Y el mandamiento que hará el rey será oído en todo su reino, aunque es grande, y todas las mujeres darán honra á sus maridos, desde el mayor hasta el menor.
Y plugo esta palabra en ojos del rey y de los príncipes, é hizo el rey conforme al dicho de Memucán;
Pues envió letras á todas las provincias del rey, á cada provincia conforme á su escribir, y á cada pueblo conforme á su lenguaje, diciendo que todo hombre fuese señor en su casa; y háblese esto según la lengua de su pueblo.
PASADAS estas cosas, sosegada ya la ira del rey Assuero, acordóse de Vasthi, y de lo que hizo, y de lo que fué sentenciado contra ella.
Y dijeron los criados del rey, sus oficiales: Busquen al rey mozas vírgenes de buen parecer;
Y ponga el rey personas en todas las provincias de su reino, que junten todas las mozas vírgenes de buen parecer en Susán residencia regia, en la casa de las mujeres, al cuidado de Hegai, eunuco del rey, guarda de las mujeres, dándoles sus atavíos;
Y la moza que agradare á los ojos del rey, reine en lugar de Vasthi. Y la cosa plugo en ojos del rey, é hízolo así.
Había un varón Judío en Susán residencia regia, cuyo nombre era Mardochêo, hijo de Jair, hijo de Simi, hijo de Cis, del linaje de Benjamín;
El cual había sido trasportado de Jerusalem con los cautivos que fueron llevados con Jechônías rey de Judá, á quien hizo trasportar Nabucodonosor rey de Babilonia.
Y había criado á Hadassa, que es Esther, hija de su tío, porque no tenía padre ni madre; y era moza de hermosa forma y de buen parecer; y como su padre y su madre murieron, Mardochêo la había tomado por hija suya.
Sucedió pues, que como se divulgó el mandamiento del rey y su acuerdo, y siendo reunidas muchas mozas en Susán residencia regia, á cargo de Hegai, fué tomada también Esther para casa del rey, al cuidado de Hegai, guarda de las mujeres.
Y la moza agradó en sus ojos, y halló gracia delante de él; por lo que hizo darle prestamente sus atavíos y sus raciones, dándole también siete convenientes doncellas de la casa del rey; y pasóla con sus doncellas á lo mejor de la casa de las mujeres.
Esther no declaró su pueblo ni su nacimiento; porque Mardochêo le había mandado que no lo declarase.
Y cada día Mardochêo se paseaba delante del patio de la casa de las mujeres, por saber cómo iba á Esther, y qué se hacía de ella.
Y como llegaba el tiempo de cada una de las mozas para venir al rey Assuero, al cabo de haber estado ya doce meses conforme á la ley acerca de las mujeres (porque así se cumplía el tiempo de sus atavíos, esto es, seis meses con óleo de mirra, y seis meses con cosas aromáticas y afeites de mujeres),
Entonces la moza venía así al rey: todo lo que ella decía se le daba, para venir con ello de la casa de las mujeres hasta la casa del rey.
Ella venía á la tarde, y á la mañana se volvía á la casa segunda de las mujeres, al cargo de Saasgaz eunuco del rey, guarda de las concubinas: no venía más al rey, salvo si el rey la quería, y era llamada por nombre.
Y llegado que fué el tiempo de Esther, hija de Abihail tío de Mardochêo, que él se había tomado por hija, para venir al rey, ninguna cosa procuró sino lo que dijo Hegai eunuco del rey, guarda de las mujeres: y ganaba Esther la gracia de todos los que la veían.
Fué pues Esther llevada al rey Assuero á su casa real en el mes décimo, que es el mes de Tebeth, en el año séptimo de su reinado.
Y el rey amó á Esther sobre todas las mujeres, y halló gracia y benevolencia delante de él más que todas las vírgenes; y puso la corona real en su cabeza, é hízola reina en lugar de Vasthi.
Hizo luego el rey gran banquete á todos sus príncipes y siervos, el banquete de Esther; y alivió á las provincias, é hizo y dió mercedes conforme á la facultad real.
Y cuando se juntaban las vírgenes la segunda vez, Mardochêo estaba puesto á la puerta del rey.
Y Esther, según le tenía mandado Mardochêo, no había declarado su nación ni su pueblo; porque Esther hacía lo que decía Mardochêo, como cuando con él se educaba.
En aquellos días, estando Mardochêo sentado á la puerta del rey, enojáronse Bigthán y Teres, dos eunucos del rey, de la guardia de la puerta, y procuraban poner mano en el rey Assuero.
Mas entendido que fué esto por Mardochêo, él lo denunció á la reina Esther, y Esther lo dijo al rey en nombre de Mardochêo.
Hízose entonces indagación de la cosa, y fué hallada cierta; por tanto, entrambos fueron colgados en una horca. Y escribióse el caso en el libro de las cosas de los tiempos delante del rey.
DESPUÉS de estas cosas, el rey Assuero engrandeció á Amán hijo de Amadatha Agageo, y ensalzólo, y puso su silla sobre todos los príncipes que estaban con él.
Y todos los siervos del rey que estaban á la puerta del rey, se arrodillaban é inclinaban á Amán, porque así se lo había mandado el rey; pero Mardochêo, ni se arrodillaba ni se humillaba.
Y los siervos del rey que estaban á la puerta, dijeron á Mardochêo: ¿Por qué traspasas el mandamiento del rey?
Y aconteció que, hablándole cada día de esta manera, y no escuchándolos él, denunciáronlo á Amán, por ver si las palabras de Mardochêo se mantendrían; porque ya él les había declarado que era Judío.
Y vió Amán que Mardochêo ni se arrodillaba ni se humillaba delante de él; y llenóse de ira.
Mas tuvo en poco meter mano en solo Mardochêo; que ya le habían declarado el pueblo de Mardochêo: y procuró Amán destruir á todos los Judíos que había en el reino de Assuero, al pueblo de Mardochêo.
En el mes primero, que es el mes de Nisán, en el año duodécimo del rey Assuero, fué echada Pur, esto es, la suerte, delante de Amán, de día en día y de mes en mes; y salió el mes duodécimo, que es el mes de Adar.
Y dijo Amán al rey Assuero: Hay un pueblo esparcido y dividido entre los pueblos en todas las provincias de tu reino, y sus leyes son diferentes de las de todo pueblo, y no observan las leyes del rey; y al rey no viene provecho de dejarlos.
Si place al rey, escríbase que sean destruídos; y yo pesaré diez mil talentos de plata en manos de los que manejan la hacienda, para que sean traídos á los tesoros del rey.
Entonces el rey quitó su anillo de su mano, y diólo á Amán hijo de Amadatha Agageo, enemigo de los Judíos,
Y díjole: La plata propuesta sea para ti, y asimismo el pueblo, para que hagas de él lo que bien te pareciere.
Entonces fueron llamados los escribanos del rey en el mes primero, á trece del mismo, y fué escrito conforme á todo lo que mandó Amán, á los príncipes del rey, y á los capitanes que estaban sobre cada provincia, y á los príncipes de cada pueblo, á cada provincia según su escritura, y á cada pueblo según su lengua: en nombre del rey Assuero fué escrito, y signado con el anillo del rey.
Y fueron enviadas letras por mano de los correos á todas las provincias del rey, para destruir, y matar, y exterminar á todos los Judíos, desde el niño hasta el viejo, niños y mujeres en un día, en el trece del mes duodécimo, que es el mes de Adar, y para apoderarse de su despojo.
La copia del escrito que se diese por mandamiento en cada provincia, fué publicada á todos los pueblos, á fin de que estuviesen apercibidos para aquel día.
Y salieron los correos de priesa por mandato del rey, y el edicto fué dado en Susán capital del reino. Y el rey y Amán estaban sentados á beber, y la ciudad de Susán estaba conmovida.
LUEGO que supo Mardochêo todo lo que se había hecho, rasgó sus vestidos, y vistióse de saco y de ceniza, y fuése por medio de la ciudad clamando con grande y amargo clamor.
Y vino hasta delante de la puerta del rey: porque no era lícito pasar adentro de la puerta del rey con vestido de saco.
Y en cada provincia y lugar donde el mandamiento del rey y su decreto llegaba, tenían los Judíos grande luto, y ayuno, y lloro, y lamentación: saco y ceniza era la cama de muchos.
Y vinieron las doncellas de Esther y sus eunucos, y dijéronselo: y la reina tuvo gran dolor, y envió vestidos para hacer vestir á Mardochêo, y hacerle quitar el saco de sobre él; mas él no los recibió.
Entonces Esther llamó á Atach, uno de los eunucos del rey, que él había hecho estar delante de ella, y mandólo á Mardochêo, con orden de saber qué era aquello, y por qué.
Salió pues Atach á Mardochêo, á la plaza de la ciudad que estaba delante de la puerta del rey.
Y Mardochêo le declaró todo lo que le había acontecido, y dióle noticia de la plata que Amán había dicho que pesaría para los tesoros del rey por razón de los Judíos, para destruirlos.
Dióle también la copia de la escritura del decreto que había sido dado en Susán para que fuesen destruídos, á fin de que la mostrara á Esther y se lo declarase, y le encargara que fuese al rey á suplicarle, y á pedir delante de él por su pueblo.
Y vino Atach, y contó á Esther las palabras de Mardochêo.
Entonces Esther dijo á Atach, y mandóle decir á Mardochêo:
Todos los siervos del rey, y el pueblo de las provincias del rey saben, que cualquier hombre ó mujer que entra al rey al patio de adentro sin ser llamado, por una sola ley ha de morir: salvo aquel á quien el rey extendiere el cetro de oro, el cual vivirá: y yo no he sido llamada para entrar al rey estos treinta días.
Y dijeron á Mardochêo las palabras de Esther.
Entonces dijo Mardochêo que respondiesen á Esther: No pienses en tu alma, que escaparás en la casa del rey más que todos los Judíos:
Porque si absolutamente callares en este tiempo, respiro y libertación tendrán los Judíos de otra parte; mas tú y la casa de tu padre pereceréis. ¿Y quién sabe si para esta hora te han hecho llegar al reino?
Y Esther dijo que respondiesen á Mardochêo:
Ve, y junta á todos los Judíos que se hallan en Susán, y ayunad por mí, y no comáis ni bebáis en tres días, noche ni día: yo también con mis doncellas ayunaré igualmente, y así entraré al rey, aunque no sea conforme á la ley; y si perezco, que perezca.
Entonces se fué Mardochêo, é hizo conforme á todo lo que le mandó Esther.
Y ACONTECIÓ que al tercer día se vistió Esther su vestido real, y púsose en el patio de adentro de la casa del rey, enfrente del aposento del rey: y estaba el rey sentado en su solio regio en el aposento real, enfrente de la puerta del aposento.
Y fué que, como vió á la reina Esther que estaba en el patio, ella obtuvo gracia en sus ojos; y el rey extendió á Esther el cetro de oro que tenía en la mano. Entonces se llegó Esther, y tocó la punta del cetro.
Y dijo el rey: ¿Qué tienes, reina Esther? ¿y cuál es tu petición? Hasta la mitad del reino, se te dará.
Y Esther dijo: Si al rey place, venga hoy el rey con Amán al banquete que le he hecho.
Y respondió el rey: Daos priesa, llamad á Amán, para hacer lo que Esther ha dicho. Vino pues el rey con Amán al banquete que Esther dispuso.
Y dijo el rey á Esther en el banquete del vino: ¿Cuál es tu petición, y te será otorgada? ¿Cuál es tu demanda? Aunque sea la mitad del reino, te será concedida.
Entonces respondió Esther, y dijo: Mi petición y mi demanda es:
Si he hallado gracia en los ojos del rey, y si place al rey otorgar mi petición y hacer mi demanda, que venga el rey con Amán al banquete que les dispondré; y mañana haré conforme á lo que el rey ha mandado.
Y salió Amán aquel día contento y alegre de corazón; pero como vió á Mardochêo á la puerta del rey, que no se levantaba ni se movía de su lugar, llenóse contra Mardochêo de ira.
Mas refrenóse Amán, y vino á su casa, y envió, é hizo venir sus amigos, y á Zeres su mujer.
Y refirióles Amán la gloria de sus riquezas, y la multitud de sus hijos, y todas las cosas con que el rey le había engrandecido y con que le había ensalzado sobre los príncipes y siervos del rey.
Y añadió Amán: También la reina Esther á ninguno hizo venir con el rey al banquete que ella dispuso, sino á mí: y aun para mañana soy convidado de ella con el rey.
Mas todo esto nada me sirve cada vez que veo al judío Mardochêo sentado á la puerta del rey.
Y díjole Zeres su mujer, y todos sus amigos: Hagan una horca alta de cincuenta codos, y mañana di al rey que cuelguen á Mardochêo en ella; y entra con el rey al banquete alegre. Y plugo la cosa en los ojos de Amán, é hizo preparar la horca.
AQUELLA noche se le fué el sueño al rey, y dijo que le trajesen el libro de las memorias de las cosas de los tiempos: y leyéronlas delante del rey.
Y hallóse escrito que Mardochêo había denunciado de Bigthan y de Teres, dos eunucos del rey, de la guarda de la puerta, que habían procurado meter mano en el rey Assuero.
Y dijo el rey: ¿Qué honra ó que distinción se hizo á Mardochêo por esto? Y respondieron los servidores del rey, sus oficiales: Nada se ha hecho con él.
Entonces dijo el rey: ¿Quién está en el patio? Y Amán había venido al patio de afuera de la casa del rey, para decir al rey que hiciese colgar á Mardochêo en la horca que él le tenía preparada.
Y los servidores del rey le respondieron: He aquí Amán está en el patio. Y el rey dijo: Entre.
Entró pues Amán, y el rey le dijo: ¿Qué se hará al hombre cuya honra desea el rey? Y dijo Amán en su corazón: ¿A quién deseará el rey hacer honra más que á mí?
Y respondió Amán al rey: Al varón cuya honra desea el rey,
Traigan el vestido real de que el rey se viste, y el caballo en que el rey cabalga, y la corona real que está puesta en su cabeza;
Y den el vestido y el caballo en mano de alguno de los príncipes más nobles del rey, y vistan á aquel varón cuya honra desea el rey, y llévenlo en el caballo por la plaza de la ciudad, y pregonen delante de él: Así se hará al varón cuya honra desea el rey.
Entonces el rey dijo á Amán: Date priesa, toma el vestido y el caballo, como tú has dicho, y hazlo así con el judío Mardochêo, que se sienta á la puerta del rey; no omitas nada de todo lo que has dicho.
Y Amán tomó el vestido y el caballo, y vistió á Mardochêo, y llevólo á caballo por la plaza de la ciudad, é hizo pregonar delante de él: Así se hará al varón cuya honra desea el rey.
Después de esto Mardochêo se volvió á la puerta del rey, y Amán se fué corriendo á su casa, apesadumbrado y cubierta su cabeza.
Contó luego Amán á Zeres su mujer, y á todos sus amigos, todo lo que le había acontecido: y dijéronle sus sabios, y Zeres su mujer: Si de la simiente de los Judíos es el Mardochêo, delante de quien has comenzado á caer, no lo vencerás; antes caerás por cierto delante de él.
Aun estaban ellos hablando con él, cuando los eunucos del rey llegaron apresurados, para hacer venir á Amán al banquete que Esther había dispuesto.
VINO pues el rey con Amán á beber con la reina Esther.
Y también el segundo día dijo el rey á Esther en el convite del vino: ¿Cuál es tu petición, reina Esther, y se te concederá? ¿Cuál es pues tu demanda? Aunque sea la mitad del reino, pondráse por obra.
Entonces la reina Esther respondió y dijo: Oh rey, si he hallado gracia en tus ojos, y si al rey place, séame dada mi vida por mi petición, y mi pueblo por mi demanda.
Porque vendidos estamos yo y mi pueblo, para ser destruídos, para ser muertos y exterminados. Y si para siervos y siervas fuéramos vendidos, callárame, bien que el enemigo no compensara el daño del rey.
Y respondió el rey Assuero, y dijo á la reina Esther: ¿Quién es, y dónde está, aquél á quien ha henchido su corazón para obrar así?
Y Esther dijo: El enemigo y adversario es este malvado Amán. Entonces se turbó Amán delante del rey y de la reina.
Levantóse luego el rey del banquete del vino en su furor, y se fué al huerto del palacio: y quedóse Amán para procurar de la reina Esther por su vida; porque vió que estaba resuelto para él el mal de parte del rey.
Volvió después el rey del huerto del palacio al aposento del banquete del vino, y Amán había caído sobre el lecho en que estaba Esther. Entonces dijo el rey: ¿También para forzar la reina, estando conmigo en casa? Como esta palabra salió de la boca del rey, el rostro de Amán fué cubierto.
Y dijo Harbona, uno de los eunucos de delante del rey: He aquí también la horca de cincuenta codos de altura que hizo Amán para Mardochêo, el cual había hablado bien por el rey, está en casa de Amán. Entonces el rey dijo: Colgadlo en ella.
Así colgaron á Amán en la horca que él había hecho aparejar para Mardochêo; y apaciguóse la ira del rey.
EL MISMO día dió el rey Assuero á la reina Esther la casa de Amán enemigo de los Judíos; y Mardochêo vino delante del rey, porque Esther le declaró lo que era respecto de ella.
Y quitóse el rey su anillo que había vuelto á tomar de Amán, y diólo á Mardochêo. Y Esther puso á Mardochêo sobre la casa de Amán.
Volvió luego Esther á hablar delante del rey, y echóse á sus pies, llorando y rogándole que hiciese nula la maldad de Amán Agageo, y su designio que había formado contra los Judíos.
Entonces extendió el rey á Esther el cetro de oro, y Esther se levantó, y púsose en pie delante del rey.
Y dijo: Si place al rey, y si he hallado gracia delante de él, y si la cosa es recta delante del rey, y agradable yo en sus ojos, sea escrito para revocar las letras del designio de Amán hijo de Amadatha Agageo, que escribió para destruir á los Judíos que están en todas las provincias del rey.
Porque ¿cómo podré yo ver el mal que alcanzará á mi pueblo? ¿cómo podré yo ver la destrucción de mi nación?
Y respondió el rey Assuero á la reina Esther, y á Mardochêo Judío: He aquí yo he dado á Esther la casa de Amán, y á él han colgado en la horca, por cuanto extendió su mano contra los Judíos.
Escribid pues vosotros á los Judíos como bien os pareciere en el nombre del rey, y selladlo con el anillo del rey; porque la escritura que se escribe en nombre del rey, y se sella con el anillo del rey, no es para revocarla.
Entonces fueron llamados los escribanos del rey en el mes tercero, que es Siván, á veintitrés del mismo; y escribióse conforme á todo lo que mandó Mardochêo, á los Judíos, y á los sátrapas, y á los capitanes, y á los príncipes de las provincias que había desde la India hasta la Ethiopía, ciento veintisiete provincias; á cada provincia según su escribir, y á cada pueblo conforme á su lengua, á los Judíos también conforme á su escritura y lengua.
Y escribió en nombre del rey Assuero, y selló con el anillo del rey, y envió letras por correos de á caballo, montados en dromedarios, y en mulos hijos de yeguas;
Con intimación de que el rey concedía á los Judíos que estaban en todas las ciudades, que se juntasen y estuviesen á la defensa de su vida, prontos á destruir, y matar, y acabar con todo ejército de pueblo ó provincia que viniese contra ellos, aun niños y mujeres, y su despojo para presa,
En un mismo día en todas las provincias del rey Assuero, en el trece del mes duodécimo, que es el mes de Adar.
La copia de la escritura que había de darse por ordenanza en cada provincia, para que fuese manifiesta á todos los pueblos, decía que los Judíos estuviesen apercibidos para aquel día, para vengarse de sus enemigos.
Los correos pues, cabalgando en dromedarios y en mulos, salieron apresurados y constreñidos por el mandamiento del rey: y la ley fué dada en Susán capital del reino.
Y salió Mardochêo de delante del rey con vestido real de cárdeno y blanco, y una gran corona de oro, y un manto de lino y púrpura: y la ciudad de Susán se alegró y regocijó.
Los Judíos tuvieron luz y alegría, y gozo y honra.
Y en cada provincia y en cada ciudad donde llegó el mandamiento del rey, los Judíos tuvieron alegría y gozo, banquete y día de placer. Y muchos de los pueblos de la tierra se hacían Judíos, porque el temor de los Judíos había caído sobre ellos.
Y EN el mes duodécimo, que es el mes de Adar, á trece del mismo, en el que tocaba se ejecutase el mandamiento del rey y su ley, el mismo día en que esperaban los enemigos de los Judíos enseñorearse de ellos, fué lo contrario; porque los Judíos se enseñorearon de los que los aborrecían.
Los Judíos se juntaron en sus ciudades en todas las provincias del rey Assuero, para meter mano sobre los que habían procurado su mal: y nadie se puso delante de ellos, porque el temor de ellos había caído sobre todos los pueblos.
Y todos los príncipes de las provincias, y los virreyes, y capitanes, y oficiales del rey, ensalzaban á los Judíos; porque el temor de Mardochêo había caído sobre ellos.
Porque Mardochêo era grande en la casa del rey, y su fama iba por todas las provincias; pues el varón Mardochêo iba engrandeciéndose.
E hirieron los Judíos á todos sus enemigos con plaga de espada, y de mortandad, y de perdición; é hicieron en sus enemigos á su voluntad.
Y en Susán capital del reino, mataron y destruyeron los Judíos á quinientos hombres.
Mataron entonces á Phorsandatha, y á Dalphón, y á Asphatha,
Y á Phoratha y á Ahalía, y á Aridatha,
Y á Pharmastha, y á Arisai, y á Aridai, y á Vaizatha,
Diez hijos de Amán hijo de Amadatha, enemigo de los Judíos: mas en la presa no metieron su mano.
El mismo día vino la cuenta de los muertos en Susán residencia regia, delante del rey.
Y dijo el rey á la reina Esther: En Susán, capital del reino, han muerto los Judíos y destruído á quinientos hombres, y á diez hijos de Amán; ¿qué habrán hecho en las otras provincias del rey? ¿Cuál pues es tu petición, y te será concedida? ¿ó qué más es tu demanda, y será hecho?
Y respondió Esther: Si place al rey, concédase también mañana á los Judíos en Susán, que hagan conforme á la ley de hoy; y que cuelguen en la horca á los diez hijos de Amán.
Y mandó el rey que se hiciese así: y dióse la orden en Susán, y colgaron á los diez hijos de Amán.
Y los Judíos que estaban en Susán, se juntaron también el catorce del mes de Adar, y mataron en Susán trescientos hombres: mas en la presa no metieron su mano.
En cuanto á los otros Judíos que estaban en las provincias del rey, también se juntaron y pusiéronse en defensa de su vida, y tuvieron reposo de sus enemigos, y mataron de sus contrarios setenta y cinco mil; mas en la presa no metieron su mano.
En el día trece del mes de Adar fué esto; y reposaron en el día catorce del mismo, é hiciéronlo día de banquete y de alegría.
Mas los Judíos que estaban en Susán se juntaron en el trece y en el catorce del mismo mes; y al quince del mismo reposaron, é hicieron aquel día día de banquete y de regocijo.
Por tanto los Judíos aldeanos que habitan en las villas sin muro, hacen á los catorce del mes de Adar el día de alegría y de banquete, y buen día, y de enviar porciones cada uno á su vecino.
Y escribió Mardochêo estas cosas, y envió letras á todos los Judíos que estaban en todas las provincias del rey Assuero, cercanos y distantes,
Ordenándoles que celebrasen el día décimocuarto del mes de Adar, y el décimoquinto del mismo, cada un año,
Como días en que los Judíos tuvieron reposo de sus enemigos, y el mes que se les tornó de tristeza en alegría, y de luto en día bueno; que los hiciesen días de banquete y de gozo, y de enviar porciones cada uno á su vecino, y dádivas á los pobres.
Y los Judíos aceptaron hacer, según habían comenzado, lo que les escribió Mardochêo.
Porque Amán hijo de Amadatha, Agageo, enemigo de todos los Judíos, había ideado contra los Judíos para destruirlos, y echó Pur, que quiere decir suerte, para consumirlos y acabar con ellos.
Mas como Esther vino á la presencia del rey, él intimó por carta: El perverso designio que aquél trazó contra los Judíos, recaiga sobre su cabeza; y cuélguenlo á él y á sus hijos en la horca.
Por esto llamaron á estos días Purim, del nombre Pur. Por todas las palabras pues de esta carta, y por lo que ellos vieron sobre esto, y lo que llegó á su noticia,
Establecieron y tomaron los Judíos sobre sí, y sobre su simiente, y sobre todos los allegados á ellos, y no será traspasado, el celebrar estos dos días según está escrito en orden á ellos, y conforme á su tiempo cada un año;
Y que estos dos días serían en memoria, y celebrados en todas las naciones, y familias, y provincias, y ciudades. Estos días de Purim no pasarán de entre los Judíos, y la memoria de ellos no cesará de su simiente.
Y la reina Esther hija de Abihail, y Mardochêo Judío, escribieron con toda eficacia, para confirmar esta segunda carta de Purim.
Y envió Mardochêo letras á todos los Judíos, á las ciento veintisiete provincias del rey Assuero, con palabras de paz y de verdad,
Para confirmar estos días de Purim en sus tiempos señalados, según les había constituído Mardochêo Judío y la reina Esther, y como habían ellos tomado sobre sí y sobre su simiente, para conmemorar el fin de los ayunos y de su clamor.
Y el mandamiento de Esther confirmó estas palabras dadas acerca de Purim, y escribióse en el libro.
Y EL rey Assuero impuso tributo sobre la tierra y las islas de la mar.
Y toda la obra de su fortaleza, y de su valor, y la declaración de la grandeza de Mardochêo, con que el rey le engrandeció, ¿no está escrito en el libro de los anales de los reyes de Media y de Persia?
Porque Mardochêo Judío fué segundo después del rey Assuero, y grande entre los Judíos, y acepto á la multitud de sus hermanos, procurando el bien de su pueblo, y hablando paz para toda su simiente.
LOS proverbios de Salomón, hijo de David, rey de Israel:
Para entender sabiduría y doctrina; para conocer las razones prudentes;
Para recibir el consejo de prudencia, justicia, y juicio y equidad;
Para dar sagacidad á los simples, y á los jóvenes inteligencia y cordura.
Oirá el sabio, y aumentará el saber; y el entendido adquirirá consejo;
Para entender parábola y declaración; palabras de sabios, y sus dichos oscuros.
El principio de la sabiduría es el temor de Jehová: los insensatos desprecian la sabiduría y la enseñanza.
Oye, hijo mío, la doctrina de tu padre, y no desprecies la dirección de tu madre:
Porque adorno de gracia serán á tu cabeza, y collares á tu cuello.
Hijo mío, si los pecadores te quisieren engañar, no consientas.
Si dijeren: Ven con nosotros, pongamos asechanzas á la sangre, acechemos sin motivo al inocente;
Los tragaremos vivos como el sepulcro, y enteros, como los que caen en sima;
Hallaremos riquezas de todas suertes, henchiremos nuestras casas de despojos;
Echa tu suerte entre nosotros; tengamos todos una bolsa:
Hijo mío, no andes en camino con ellos; aparta tu pie de sus veredas:
Porque sus pies correrán al mal, é irán presurosos á derramar sangre.
Porque en vano se tenderá la red ante los ojos de toda ave;
Mas ellos á su propia sangre ponen asechanzas, y á sus almas tienden lazo.
Tales son las sendas de todo el que es dado á la codicia, la cual prenderá el alma de sus poseedores.
La sabiduría clama de fuera, da su voz en las plazas:
Clama en los principales lugares de concurso; en las entradas de las puertas de la ciudad dice sus razones:
¿Hasta cuándo, oh simples, amaréis la simpleza, y los burladores desearán el burlar, y los insensatos aborrecerán la ciencia?
Volveos á mi reprensión: he aquí yo os derramaré mi espíritu, y os haré saber mis palabras.
Por cuanto llamé, y no quisisteis; extendí mi mano, y no hubo quien escuchase;
Antes desechasteis todo consejo mío, y mi reprensión no quisisteis:
También yo me reiré en vuestra calamidad, y me burlaré cuando os viniere lo que teméis;
Cuando viniere como una destrucción lo que teméis, y vuestra calamidad llegare como un torbellino; cuando sobre vosotros viniere tribulación y angustia.
Entonces me llamarán, y no responderé; buscarme han de mañana, y no me hallarán:
Por cuanto aborrecieron la sabiduría, y no escogieron el temor de Jehová,
Ni quisieron mi consejo, y menospreciaron toda reprensión mía:
Comerán pues del fruto de su camino, y se hartarán de sus consejos.
Porque el reposo de los ignorantes los matará, y la prosperidad de los necios los echará á perder.
Mas el que me oyere, habitará confiadamente, y vivirá reposado, sin temor de mal.
HIJO mío, si tomares mis palabras, y mis mandamientos guardares dentro de ti,
Haciendo estar atento tu oído á la sabiduría; si inclinares tu corazón á la prudencia;
Si clamares á la inteligencia, y á la prudencia dieres tu voz;
Si como á la plata la buscares, y la escudriñares como á tesoros;
Entonces entenderás el temor de Jehová, y hallarás el conocimiento de Dios.
Porque Jehová da la sabiduría, y de su boca viene el conocimiento y la inteligencia.
El provee de sólida sabiduría á los rectos: es escudo á los que caminan rectamente.
Es el que guarda las veredas del juicio, y preserva el camino de sus santos.
Entonces entenderás justicia, juicio, y equidad, y todo buen camino.
Cuando la sabiduría entrare en tu corazón, y la ciencia fuere dulce á tu alma,
El consejo te guardará, te preservará la inteligencia:
Para librarte del mal camino, de los hombres que hablan perversidades;
Que dejan las veredas derechas, por andar en caminos tenebrosos;
Que se alegran haciendo mal, que se huelgan en las perversidades del vicio;
Cuyas veredas son torcidas, y torcidos sus caminos.
Para librarte de la mujer extraña, de la ajena que halaga con sus palabras;
Que desampara el príncipe de su mocedad, y se olvida del pacto de su Dios.
Por lo cual su casa está inclinada á la muerte, y sus veredas hacia los muertos:
Todos los que á ella entraren, no volverán, ni tomarán las veredas de la vida.
Para que andes por el camino de los buenos, y guardes las veredas de los justos.
Porque los rectos habitarán la tierra, y los perfectos permanecerán en ella;
Mas los impíos serán cortados de la tierra, y los prevaricadores serán de ella desarraigados.
HIJO mío, no te olvides de mi ley; y tu corazón guarde mis mandamientos:
Porque largura de días, y años de vida y paz te aumentarán.
Misericordia y verdad no te desamparen; átalas á tu cuello, escríbelas en la tabla de tu corazón:
Y hallarás gracia y buena opinión en los ojos de Dios y de los hombres.
Fíate de Jehová de todo tu corazón, y no estribes en tu prudencia.
Reconócelo en todos tus caminos, y él enderezará tus veredas.
No seas sabio en tu opinión: teme á Jehová, y apártate del mal;
Porque será medicina á tu ombligo, y tuétano á tus huesos.
Honra á Jehová de tu sustancia, y de las primicias de todos tus frutos;
Y serán llenas tus trojes con abundancia, y tus lagares rebosarán de mosto.
No deseches, hijo mío, el castigo de Jehová; ni te fatigues de su corrección:
Porque al que ama castiga, como el padre al hijo á quien quiere.
Bienaventurado el hombre que halla la sabiduría, y que obtiene la inteligencia:
Porque su mercadería es mejor que la mercadería de la plata, y sus frutos más que el oro fino.
Más preciosa es que las piedras preciosas; y todo lo que puedes desear, no se puede comparar á ella.
Largura de días está en su mano derecha; en su izquierda riquezas y honra.
Sus caminos son caminos deleitosos, y todas sus veredas paz.
Ella es árbol de vida á los que de ella asen: y bienaventurados son los que la mantienen.
Jehová con sabiduría fundó la tierra; afirmó los cielos con inteligencia.
Con su ciencia se partieron los abismos, y destilan el rocío los cielos.
Hijo mío, no se aparten estas cosas de tus ojos; guarda la ley y el consejo;
Y serán vida á tu alma, y gracia á tu cuello.
Entonces andarás por tu camino confiadamente, y tu pie no tropezará.
Cuando te acostares, no tendrás temor; antes te acostarás, y tu sueño será suave.
No tendrás temor de pavor repentino, ni de la ruina de los impíos cuando viniere:
Porque Jehová será tu confianza, y él preservará tu pie de ser preso.
No detengas el bien de sus dueños, cuando tuvieres poder para hacerlo.
No digas á tu prójimo: Ve, y vuelve, y mañana te daré; cuando tienes contigo qué darle.
No intentes mal contra tu prójimo, estando él confiado de ti.
No pleitees con alguno sin razón, si él no te ha hecho agravio.
No envidies al hombre injusto, ni escojas alguno de sus caminos.
Porque el perverso es abominado de Jehová: mas su secreto es con los rectos.
La maldición de Jehová está en la casa del impío; mas él bendecirá la morada de los justos.
Ciertamente él escarnecerá á los escarnecedores, y á los humildes dará gracia.
Los sabios heredarán honra: mas los necios sostendrán ignominia.
OID, hijos, la doctrina de un padre, y estad atentos para que conozcáis cordura.
Porque os doy buena enseñanza; no desamparéis mi ley.
Porque yo fuí hijo de mi padre, delicado y único delante de mi madre.
Y él me enseñaba, y me decía: Mantenga tu corazón mis razones, guarda mis mandamientos, y vivirás:
Adquiere sabiduría, adquiere inteligencia; no te olvides ni te apartes de las razones de mi boca;
No la dejes, y ella te guardará; ámala, y te conservará.
Sabiduría ante todo: adquiere sabiduría: y ante toda tu posesión adquiere inteligencia.
Engrandécela, y ella te engrandecerá: ella te honrará, cuando tú la hubieres abrazado.
Adorno de gracia dará á tu cabeza: corona de hermosura te entregará.
Oye, hijo mío, y recibe mis razones; y se te multiplicarán años de vida.
Por el camino de la sabiduría te he encaminado, y por veredas derechas te he hecho andar.
Cuando anduvieres no se estrecharán tus pasos; y si corrieres, no tropezarás.
Ten el consejo, no lo dejes; guárdalo, porque eso es tu vida.
No entres por la vereda de los impíos, ni vayas por el camino de los malos.
Desampárala, no pases por ella; apártate de ella, pasa.
Porque no duermen ellos, si no hicieren mal; y pierden su sueño, si no han hecho caer.
Porque comen pan de maldad, y beben vino de robos.
Mas la senda de los justos es como la luz de la aurora, que va en aumento hasta que el día es perfecto.
El camino de los impíos es como la oscuridad: no saben en qué tropiezan.
Hijo mío, está atento á mis palabras; inclina tu oído á mis razones.
No se aparten de tus ojos; guárdalas en medio de tu corazón.
Porque son vida á los que las hallan, y medicina á toda su carne.
Sobre toda cosa guardada guarda tu corazón; porque de él mana la vida.
Aparta de ti la perversidad de la boca, y aleja de ti la iniquidad de labios.
Tus ojos miren lo recto, y tus párpados en derechura delante de ti.
Examina la senda de tus pies, y todos tus caminos sean ordenados.
No te apartes á diestra, ni á siniestra: aparta tu pie del mal.
HIJO mío, está atento á mi sabiduría, y á mi inteligencia inclina tu oído;
Para que guardes consejo, y tus labios conserven la ciencia.
Porque los labios de la extraña destilan miel, y su paladar es más blando que el aceite:
Mas su fin es amargo como el ajenjo, agudo como cuchillo de dos filos.
Sus pies descienden á la muerte; sus pasos sustentan el sepulcro:
Sus caminos son instables; no los conocerás, si no considerares el camino de vida.
Ahora pues, hijos, oidme, y no os apartéis de las razones de mi boca.
Aleja de ella tu camino, y no te acerques á la puerta de su casa;
Porque no des á los extraños tu honor, y tus años á cruel;
Porque no se harten los extraños de tu fuerza, y tus trabajos estén en casa del extraño;
Y gimas en tus postrimerías, cuando se consumiere tu carne y tu cuerpo,
Y digas: ¡Cómo aborrecí el consejo, y mi corazón menospreció la reprensión;
Y no oí la voz de los que me adoctrinaban, y á los que me enseñaban no incliné mi oído!
Casi en todo mal he estado, en medio de la sociedad y de la congregación.
Bebe el agua de tu cisterna, y los raudales de tu pozo.
Derrámense por de fuera tus fuentes, en las plazas los ríos de aguas.
Sean para ti solo, y no para los extraños contigo.
Sea bendito tu manantial; y alégrate con la mujer de tu mocedad.
Como cierva amada y graciosa corza, sus pechos te satisfagan en todo tiempo; y en su amor recréate siempre.
¿Y por qué, hijo mío, andarás ciego con la ajena, y abrazarás el seno de la extraña?
Pues que los caminos del hombre están ante los ojos de Jehová, y él considera todas sus veredas.
Prenderán al impío sus propias iniquidades, y detenido será con las cuerdas de su pecado.
El morirá por falta de corrección; y errará por la grandeza de su locura.
HIJO mío, si salieres fiador por tu amigo, si tocaste tu mano por el extraño,
Enlazado eres con las palabras de tu boca, y preso con las razones de tu boca.
Haz esto ahora, hijo mío, y líbrate, ya que has caído en la mano de tu prójimo: ve, humíllate, y asegúrate de tu amigo.
No des sueño á tus ojos, ni á tus párpados adormecimiento.
Escápate como el corzo de la mano del cazador, y como el ave de la mano del parancero.
Ve á la hormiga, oh perezoso, mira sus caminos, y sé sabio;
La cual no teniendo capitán, ni gobernador, ni señor,
Prepara en el verano su comida y allega en el tiempo de la siega su mantenimiento.
Perezoso, ¿hasta cuándo has de dormir? ¿cuándo te levantarás de tu sueño?
Un poco de sueño, un poco de dormitar, y cruzar por un poco las manos para reposo:
Así vendrá tu necesidad como caminante, y tu pobreza como hombre de escudo.
El hombre malo, el hombre depravado, anda en perversidad de boca;
Guiña de sus ojos, habla con sus pies, indica con sus dedos;
Perversidades hay en su corazón, anda pensando mal en todo tiempo; enciende rencillas.
Por tanto su calamidad vendrá de repente; súbitamente será quebrantado, y no habrá remedio.
Seis cosas aborrece Jehová, y aun siete abomina su alma:
Los ojos altivos, la lengua mentirosa, las manos derramadoras de sangre inocente,
El corazón que maquina pensamientos inicuos, los pies presurosos para correr al mal,
El testigo falso que habla mentiras, y el que enciende rencillas entre los hermanos.
Guarda, hijo mío, el mandamiento de tu padre, y no dejes la enseñanza de tu madre:
Atalos siempre en tu corazón, enlázalos á tu cuello.
Te guiarán cuando anduvieres; cuando durmieres te guardarán; hablarán contigo cuando despertares.
Porque el mandamiento es antorcha, y la enseñanza luz; y camino de vida las reprensiones de la enseñanza:
Para que te guarden de la mala mujer, de la blandura de la lengua de la extraña.
No codicies su hermosura en tu corazón, ni ella te prenda con sus ojos:
Porque á causa de la mujer ramera es reducido el hombre á un bocado de pan; y la mujer caza la preciosa alma del varón.
¿Tomará el hombre fuego en su seno, sin que sus vestidos se quemen?
¿Andará el hombre sobre las brasas, sin que sus pies se abrasen?
Así el que entrare á la mujer de su prójimo; no será sin culpa cualquiera que la tocare.
No tienen en poco al ladrón, cuando hurtare para saciar su alma teniendo hambre:
Empero tomado, paga las setenas, da toda la sustancia de su casa.
Mas el que comete adulterio con la mujer, es falto de entendimiento: corrompe su alma el que tal hace.
Plaga y vergüenza hallará; y su afrenta nunca será raída.
Porque los celos son el furor del hombre, y no perdonará en el día de la venganza.
No tendrá respeto á ninguna redención; ni querrá perdonar, aunque multipliques los dones.
HIJO mío, guarda mis razones, y encierra contigo mis mandamientos.
Guarda mis mandamientos, y vivirás; y mi ley como las niñas de tus ojos.
Lígalos á tus dedos; escríbelos en la tabla de tu corazón.
Di á la sabiduría: Tú eres mi hermana; y á la inteligencia llama parienta:
Para que te guarden de la mujer ajena, y de la extraña que ablanda sus palabras.
Porque mirando yo por la ventana de mi casa, por mi celosía,
Vi entre los simples, consideré entre los jóvenes, un mancebo falto de entendimiento,
El cual pasaba por la calle, junto á la esquina de aquella, é iba camino de su casa,
A la tarde del día, ya que oscurecía, en la oscuridad y tiniebla de la noche.
Y he aquí, una mujer que le sale al encuentro con atavío de ramera, astuta de corazón,
Alborotadora y rencillosa, sus pies no pueden estar en casa;
Unas veces de fuera, ó bien por las plazas, acechando por todas las esquinas.
Y traba de él, y bésalo; desvergonzó su rostro, y díjole:
Sacrificios de paz había prometido, hoy he pagado mis votos;
Por tanto he salido á encontrarte, buscando diligentemente tu rostro, y te he hallado.
Con paramentos he ataviado mi cama, recamados con cordoncillo de Egipto.
He sahumado mi cámara con mirra, áloes, y cinamomo.
Ven, embriaguémonos de amores hasta la mañana; alegrémonos en amores.
Porque el marido no está en casa, hase ido á un largo viaje:
El saco de dinero llevó en su mano; el día señalado volverá á su casa.
Rindiólo con la mucha suavidad de sus palabras, obligóle con la blandura de sus labios.
Vase en pos de ella luego, como va el buey al degolladero, y como el loco á las prisiones para ser castigado;
Como el ave que se apresura al lazo, y no sabe que es contra su vida, hasta que la saeta traspasó su hígado.
Ahora pues, hijos, oidme, y estad atentos á las razones de mi boca.
No se aparte á sus caminos tu corazón; no yerres en sus veredas.
Porque á muchos ha hecho caer heridos; y aun los más fuertes han sido muertos por ella.
Caminos del sepulcro son su casa, que descienden á las cámaras de la muerte.
¿NO clama la sabiduría, y da su voz la inteligencia?
En los altos cabezos, junto al camino, á las encrucijadas de las veredas se para;
En el lugar de las puertas, á la entrada de la ciudad, á la entrada de las puertas da voces:
Oh hombres, á vosotros clamo; y mi voz es á los hijos de los hombres.
Entended, simples, discreción; y vosotros, locos, entrad en cordura.
Oid, porque hablaré cosas excelentes; y abriré mis labios para cosas rectas.
Porque mi boca hablará verdad, y la impiedad abominan mis labios.
En justicia son todas las razones de mi boca; no hay en ellas cosa perversa ni torcida.
Todas ellas son rectas al que entiende, y razonables á los que han hallado sabiduría.
Recibid mi enseñanza, y no plata; y ciencia antes que el oro escogido.
Porque mejor es la sabiduría que las piedras preciosas; y todas las cosas que se pueden desear, no son de comparar con ella.
Yo, la sabiduría, habito con la discreción, y hallo la ciencia de los consejos.
El temor de Jehová es aborrecer el mal; la soberbia y la arrogancia, y el mal camino y la boca perversa, aborrezco.
Conmigo está el consejo y el ser; yo soy la inteligencia; mía es la fortaleza.
Por mí reinan los reyes, y los príncipes determinan justicia.
Por mí dominan los príncipes, y todos los gobernadores juzgan la tierra.
Yo amo á los que me aman; y me hallan los que madrugando me buscan.
Las riquezas y la honra están conmigo; sólidas riquezas, y justicia.
Mejor es mi fruto que el oro, y que el oro refinado; y mi rédito mejor que la plata escogida.
Por vereda de justicia guiaré, por en medio de sendas de juicio;
Para hacer heredar á mis amigos el ser, y que yo hincha sus tesoros.
Jehová me poseía en el principio de su camino, ya de antiguo, antes de sus obras.
Eternalmente tuve el principado, desde el principio, antes de la tierra.
Antes de los abismos fuí engendrada; antes que fuesen las fuentes de las muchas aguas.
Antes que los montes fuesen fundados, antes de los collados, era yo engendrada:
No había aún hecho la tierra, ni las campiñas, ni el principio del polvo del mundo.
Cuando formaba los cielos, allí estaba yo; cuando señalaba por compás la sobrefaz del abismo;
Cuando afirmaba los cielos arriba, cuando afirmaba las fuentes del abismo;
Cuando ponía á la mar su estatuto, y á las aguas, que no pasasen su mandamiento; cuando establecía los fundamentos de la tierra;
Con él estaba yo ordenándolo todo; y fuí su delicia todos los días, teniendo solaz delante de él en todo tiempo.
Huélgome en la parte habitable de su tierra; y mis delicias son con los hijos de los hombres.
Ahora pues, hijos, oidme; y bienaventurados los que guardaren mis caminos.
Atended el consejo, y sed sabios, y no lo menospreciéis.
Bienaventurado el hombre que me oye, velando á mis puertas cada día, guardando los umbrales de mis entradas.
Porque el que me hallare, hallará la vida, y alcanzará el favor de Jehová.
Mas el que peca contra mí, defrauda su alma: todos los que me aborrecen, aman la muerte.
LA sabiduría edificó su casa, labró sus siete columnas;
Mató sus víctimas, templó su vino, y puso su mesa.
Envió sus criadas; sobre lo más alto de la ciudad clamó:
Cualquiera simple, venga acá. A los faltos de cordura dijo:
Venid, comed mi pan, y bebed del vino que yo he templado.
Dejad las simplezas, y vivid; y andad por el camino de la inteligencia.
El que corrige al escarnecedor, afrenta se acarrea: el que reprende al impío, se atrae mancha.
No reprendas al escarnecedor, porque no te aborrezca; corrige al sabio, y te amará.
Da al sabio, y será más sabio: enseña al justo, y acrecerá su saber.
El temor de Jehová es el principio de la sabiduría; y la ciencia de los santos es inteligencia.
Porque por mí se aumentarán tus días, y años de vida se te añadirán.
Si fueres sabio, para ti lo serás: mas si fueres escarnecedor, pagarás tú solo.
La mujer loca es alborotadora; es simple é ignorante.
Siéntase en una silla á la puerta de su casa, en lo alto de la ciudad,
Para llamar á los que pasan por el camino, que van por sus caminos derechos.
Cualquiera simple, dice, venga acá. A los faltos de cordura dijo:
Las aguas hurtadas son dulces, y el pan comido en oculto es suave.
Y no saben que allí están los muertos; que sus convidados están en los profundos de la sepultura.
Las sentencias de Salomón. EL hijo sabio alegra al padre; y el hijo necio es tristeza de su madre.
Los tesoros de maldad no serán de provecho: mas la justicia libra de muerte.
Jehová no dejará hambrear el alma del justo: mas la iniquidad lanzará á los impíos.
La mano negligente hace pobre: mas la mano de los diligentes enriquece.
El que recoge en el estío es hombre entendido: el que duerme en el tiempo de la siega es hombre afrentoso.
Bendiciones sobre la cabeza del justo: mas violencia cubrirá la boca de los impíos.
La memoria del justo será bendita: mas el nombre de los impíos se pudrirá.
El sabio de corazón recibirá los mandamientos: mas el loco de labios caerá.
El que camina en integridad, anda confiado: mas el que pervierte sus caminos, será quebrantado.
El que guiña del ojo acarrea tristeza; y el loco de labios será castigado.
Vena de vida es la boca del justo: mas violencia cubrirá la boca de los impíos.
El odio despierta rencillas: mas la caridad cubrirá todas las faltas.
En los labios del prudente se halla sabiduría: y vara á las espaldas del falto de cordura.
Los sabios guardan la sabiduría: mas la boca del loco es calamidad cercana.
Las riquezas del rico son su ciudad fuerte; y el desmayo de los pobres es su pobreza.
La obra del justo es para vida; mas el fruto del impío es para pecado.
Camino á la vida es guardar la corrección: mas el que deja la reprensión, yerra.
El que encubre el odio es de labios mentirosos; y el que echa mala fama es necio.
En las muchas palabras no falta pecado: mas el que refrena sus labios es prudente.
Plata escogida es la lengua del justo: mas el entendimiento de los impíos es como nada.
Los labios del justo apacientan á muchos: mas los necios por falta de entendimiento mueren.
La bendición de Jehová es la que enriquece, y no añade tristeza con ella.
Hacer abominación es como risa al insensato: mas el hombre entendido sabe.
Lo que el impío teme, eso le vendrá: mas á los justos les será dado lo que desean.
Como pasa el torbellino, así el malo no permanece: mas el justo, fundado para siempre.
Como el vinagre á los dientes, y como el humo á los ojos, así es el perezoso á los que lo envían.
El temor de Jehová aumentará los días: mas los años de los impíos serán acortados.
La esperanza de los justos es alegría; mas la esperanza de los impíos perecerá.
Fortaleza es al perfecto el camino de Jehová: mas espanto es á los que obran maldad.
El justo eternalmente no será removido: mas los impíos no habitarán la tierra.
La boca del justo producirá sabiduría: mas la lengua perversa será cortada.
Los labios del justo conocerán lo que agrada: mas la boca de los impíos habla perversidades.
EL peso falso abominación es á Jehová: mas la pesa cabal le agrada.
Cuando viene la soberbia, viene también la deshonra: mas con los humildes es la sabiduría.
La integridad de los rectos los encaminará: mas destruirá á los pecadores la perversidad de ellos.
No aprovecharán las riquezas en el día de la ira: mas la justicia librará de muerte.
La justicia del perfecto enderezará su camino: mas el impío por su impiedad caerá.
La justicia de los rectos los librará: mas los pecadores en su pecado serán presos.
Cuando muere el hombre impío, perece su esperanza; y la espectativa de los malos perecerá.
El justo es librado de la tribulación: mas el impío viene en lugar suyo.
El hipócrita con la boca daña á su prójimo: mas los justos son librados con la sabiduría.
En el bien de los justos la ciudad se alegra: mas cuando los impíos perecen, hay fiestas.
Por la bendición de los rectos la ciudad será engrandecida: mas por la boca de los impíos ella será trastornada.
El que carece de entendimiento, menosprecia á su prójimo: mas el hombre prudente calla.
El que anda en chismes, descubre el secreto: mas el de espíritu fiel encubre la cosa.
Cuando faltaren las industrias, caerá el pueblo: mas en la multitud de consejeros hay salud.
Con ansiedad será afligido el que fiare al extraño: mas el que aborreciere las fianzas vivirá confiado.
La mujer graciosa tendrá honra: y los fuertes tendrán riquezas.
A su alma hace bien el hombre misericordioso: mas el cruel atormenta su carne.
El impío hace obra falsa: mas el que sembrare justicia, tendrá galardón firme.
Como la justicia es para vida, así el que sigue el mal es para su muerte.
Abominación son á Jehová los perversos de corazón: mas los perfectos de camino le son agradables.
Aunque llegue la mano á la mano, el malo no quedará sin castigo: mas la simiente de los justos escapará.
Zarcillo de oro en la nariz del puerco, es la mujer hermosa y apartada de razón.
El deseo de los justos es solamente bien: mas la esperanza de los impíos es enojo.
Hay quienes reparten, y les es añadido más: y hay quienes son escasos más de lo que es justo, mas vienen á pobreza.
El alma liberal será engordada: y el que saciare, él también será saciado.
Al que retiene el grano, el pueblo lo maldecirá: mas bendición será sobre la cabeza del que vende.
El que madruga al bien, buscará favor: mas el que busca el mal, vendrále.
El que confía en sus riquezas, caerá: mas los justos reverdecerán como ramos.
El que turba su casa heredará viento; y el necio será siervo del sabio de corazón.
El fruto del justo es árbol de vida: y el que prende almas, es sabio.
Ciertamente el justo será pagado en la tierra: ¡cuánto más el impío y el pecador!
EL que ama la corrección ama la sabiduría: mas el que aborrece la reprensión, es ignorante.
El bueno alcanzará favor de Jehová: mas él condenará al hombre de malos pensamientos.
El hombre no se afirmará por medio de la impiedad: mas la raíz de los justos no será movida.
La mujer virtuosa corona es de su marido: mas la mala, como carcoma en sus huesos.
Los pensamientos de los justos son rectitud; mas los consejos de los impíos, engaño.
Las palabras de los impíos son para acechar la sangre: mas la boca de los rectos los librará.
Dios trastornará á los impíos, y no serán más: mas la casa de los justos permanecerá.
Según su sabiduría es alabado el hombre: mas el perverso de corazón será en menosprecio.
Mejor es el que es menospreciado y tiene servidores, que el que se precia, y carece de pan.
El justo atiende á la vida de su bestia: mas las entrañas de los impíos son crueles.
El que labra su tierra, se hartará de pan: mas el que sigue los vagabundos es falto de entendimiento.
Desea el impío la red de los malos: mas la raíz de los justos dará fruto.
El impío es enredado en la prevaricación de sus labios: mas el justo saldrá de la tribulación.
El hombre será harto de bien del fruto de su boca: y la paga de las manos del hombre le será dada.
El camino del necio es derecho en su opinión: mas el que obedece al consejo es sabio.
El necio luego al punto da á conocer su ira: mas el que disimula la injuria es cuerdo.
El que habla verdad, declara justicia; mas el testigo mentiroso, engaño.
Hay quienes hablan como dando estocadas de espada: mas la lengua de los sabios es medicina.
El labio de verdad permanecerá para siempre: mas la lengua de mentira por un momento.
Engaño hay en el corazón de los que piensan mal: mas alegría en el de los que piensan bien.
Ninguna adversidad acontecerá al justo: mas los impíos serán llenos de mal.
Los labios mentirosos son abominación á Jehová: mas los obradores de verdad su contentamiento.
El hombre cuerdo encubre la ciencia: mas el corazón de los necios publica la necedad.
La mano de los diligentes se enseñoreará: mas la negligencia será tributaria.
El cuidado congojoso en el corazón del hombre, lo abate; mas la buena palabra lo alegra.
El justo hace ventaja á su prójimo: mas el camino de los impíos les hace errar.
El indolente no chamuscará su caza: mas el haber precioso del hombre es la diligencia.
En el camino de la justicia está la vida; y la senda de su vereda no es muerte.
EL hijo sabio toma el consejo del padre: mas el burlador no escucha las reprensiones.
Del fruto de su boca el hombre comerá bien: mas el alma de los prevaricadores hallará mal.
El que guarda su boca guarda su alma: mas el que mucho abre sus labios tendrá calamidad.
Desea, y nada alcanza el alma del perezoso: mas el alma de los diligentes será engordada.
El justo aborrece la palabra de mentira: mas el impío se hace odioso é infame.
La justicia guarda al de perfecto camino: mas la impiedad trastornará al pecador.
Hay quienes se hacen ricos, y no tienen nada: y hay quienes se hacen pobres, y tienen muchas riquezas.
La redención de la vida del hombre son sus riquezas: pero el pobre no oye censuras.
La luz de los justos se alegrará: mas apagaráse la lámpara de los impíos.
Ciertamente la soberbia parirá contienda: mas con los avisados es la sabiduría.
Disminuiránse las riquezas de vanidad: empero multiplicará el que allega con su mano.
La esperanza que se prolonga, es tormento del corazón: mas árbol de vida es el deseo cumplido.
El que menosprecia la palabra, perecerá por ello: mas el que teme el mandamiento, será recompensado.
La ley del sabio es manantial de vida, para apartarse de los lazos de la muerte.
El buen entendimiento conciliará gracia: mas el camino de los prevaricadores es duro.
Todo hombre cuerdo obra con sabiduría: mas el necio manifestará necedad.
El mal mensajero caerá en mal: mas el mensajero fiel es medicina.
Pobreza y vergüenza tendrá el que menosprecia el consejo: mas el que guarda la corrección, será honrado.
El deseo cumplido deleita el alma: pero apartarse del mal es abominación á los necios.
El que anda con los sabios, sabio será; mas el que se allega á los necios, será quebrantado.
Mal perseguirá á los pecadores: mas á los justos les será bien retribuído.
El bueno dejará herederos á los hijos de los hijos; y el haber del pecador, para el justo está guardado.
En el barbecho de los pobres hay mucho pan: mas piérdese por falta de juicio.
El que detiene el castigo, á su hijo aborrece: mas el que lo ama, madruga á castigarlo.
El justo come hasta saciar su alma: mas el vientre de los impíos tendrá necesidad.
LA mujer sabia edifica su casa: mas la necia con sus manos la derriba.
El que camina en su rectitud teme á Jehová: mas el pervertido en sus caminos lo menosprecia.
En la boca del necio está la vara de la soberbia: mas los labios de los sabios los guardarán.
Sin bueyes el granero está limpio: mas por la fuerza del buey hay abundancia de pan.
El testigo verdadero no mentirá: mas el testigo falso hablará mentiras.
Busca el escarnecedor la sabiduría, y no la halla: mas la sabiduría al hombre entendido es fácil.
Vete de delante del hombre necio, porque en él no advertirás labios de ciencia.
La ciencia del cuerdo es entender su camino: mas la indiscreción de los necios es engaño.
Los necios se mofan del pecado: mas entre los rectos hay favor.
El corazón conoce la amargura de su alma; y extraño no se entrometerá en su alegría.
La casa de los impíos será asolada: mas florecerá la tienda de los rectos.
Hay camino que al hombre parece derecho; empero su fin son caminos de muerte.
Aun en la risa tendrá dolor el corazón; y el término de la alegría es congoja.
De sus caminos será harto el apartado de razón: y el hombre de bien estará contento del suyo.
El simple cree á toda palabra: mas el avisado entiende sus pasos.
El sabio teme, y se aparta del mal: mas el necio se arrebata, y confía.
El que presto se enoja, hará locura: y el hombre malicioso será aborrecido.
Los simples heredarán necedad: mas los cuerdos se coronarán de sabiduría.
Los malos se inclinarán delante de los buenos, y los impíos á las puertas del justo.
El pobre es odioso aun á su amigo: pero muchos son los que aman al rico.
Peca el que menosprecia á su prójimo: mas el que tiene misericordia de los pobres, es bienaventurado.
¿No yerran los que piensan mal? Misericordia empero y verdad alcanzarán los que piensan bien.
En toda labor hay fruto: mas la palabra de los labios solamente empobrece.
Las riquezas de los sabios son su corona: mas es infatuación la insensatez de los necios.
El testigo verdadero libra las almas: mas el engañoso hablará mentiras.
En el temor de Jehová está la fuerte confianza; y esperanza tendrán sus hijos.
El temor de Jehová es manantial de vida, para apartarse de los lazos de la muerte.
En la multitud de pueblo está la gloria del rey: y en la falta de pueblo la flaqueza del príncipe.
El que tarde se aira, es grande de entendimiento: mas el corto de espíritu engrandece el desatino.
El corazón apacible es vida de las carnes: mas la envidia, pudrimiento de huesos.
El que oprime al pobre, afrenta á su Hacedor: mas el que tiene misericordia del pobre, lo honra.
Por su maldad será lanzado el impío: mas el justo en su muerte tiene esperanza.
En el corazón del cuerdo reposa la sabiduría; y es conocida en medio de los necios.
La justicia engrandece la nación: mas el pecado es afrenta de las naciones.
La benevolencia del rey es para con el ministro entendido: mas su enojo contra el que lo avergüenza.
LA blanda respuesta quita la ira: mas la palabra áspera hace subir el furor.
La lengua de los sabios adornará la sabiduría: mas la boca de los necios hablará sandeces.
Los ojos de Jehová están en todo lugar, mirando á los malos y á los buenos.
La sana lengua es árbol de vida: mas la perversidad en ella es quebrantamiento de espíritu.
El necio menosprecia el consejo de su padre: mas el que guarda la corrección, vendrá á ser cuerdo.
En la casa del justo hay gran provisión; empero turbación en las ganancias del impío.
Los labios de los sabios esparcen sabiduría: mas no así el corazón de los necios.
El sacrificio de los impíos es abominación á Jehová: mas la oración de los rectos es su gozo.
Abominación es á Jehová el camino del impío: mas él ama al que sigue justicia.
La reconvención es molesta al que deja el camino: y el que aborreciere la corrección, morirá.
El infierno y la perdición están delante de Jehová: ¡cuánto más los corazones de los hombres!
El escarnecedor no ama al que le reprende; ni se allega á los sabios.
El corazón alegre hermosea el rostro: mas por el dolor de corazón el espíritu se abate.
El corazón entendido busca la sabiduría: mas la boca de los necios pace necedad.
Todos los días del afligido son trabajosos: mas el de corazón contento tiene un convite continuo.
Mejor es lo poco con el temor de Jehová, que el gran tesoro donde hay turbación.
Mejor es la comida de legumbres donde hay amor, que de buey engordado donde hay odio.
El hombre iracundo mueve contiendas: mas el que tarde se enoja, apaciguará la rencilla.
El camino del perezoso es como seto de espinos: mas la vereda de los rectos como una calzada.
El hijo sabio alegra al padre: mas el hombre necio menosprecia á su madre.
La necedad es alegría al falto de entendimiento: mas el hombre entendido enderezará su proceder.
Los pensamientos son frustrados donde no hay consejo; mas en la multitud de consejeros se afirman.
Alégrase el hombre con la respuesta de su boca: y la palabra á su tiempo, ¡cuán buena es!
El camino de la vida es hacia arriba al entendido, para apartarse del infierno abajo.
Jehová asolará la casa de los soberbios: mas él afirmará el término de la viuda.
Abominación son á Jehová los pensamientos del malo: mas las expresiones de los limpios son limpias.
Alborota su casa el codicioso: mas el que aborrece las dádivas vivirá.
El corazón del justo piensa para responder: mas la boca de los impíos derrama malas cosas.
Lejos está Jehová de los impíos: mas él oye la oración de los justos.
La luz de los ojos alegra el corazón; y la buena fama engorda los huesos.
La oreja que escucha la corrección de vida, entre los sabios morará.
El que tiene en poco la disciplina, menosprecia su alma: mas el que escucha la corrección, tiene entendimiento.
El temor de Jehová es enseñanza de sabiduría: y delante de la honra está la humildad.
DEL hombre son las disposiciones del corazón: mas de Jehová la respuesta de la lengua.
Todos los caminos del hombre son limpios en su opinión: mas Jehová pesa los espíritus.
Encomienda á Jehová tus obras, y tus pensamientos serán afirmados.
Todas las cosas ha hecho Jehová por sí mismo, y aun al impío para el día malo.
Abominación es á Jehová todo altivo de corazón: aunque esté mano sobre mano, no será reputado inocente.
Con misericordia y verdad se corrige el pecado: y con el temor de Jehová se apartan del mal los hombres.
Cuando los caminos del hombre son agradables á Jehová, aun á sus enemigos pacificará con él.
Mejor es lo poco con justicia, que la muchedumbre de frutos sin derecho.
El corazón del hombre piensa su camino: mas Jehová endereza sus pasos.
Adivinación está en los labios del rey: en juicio no prevaricará su boca.
Peso y balanzas justas son de Jehová: obra suya son todas las pesas de la bolsa.
Abominación es á los reyes hacer impiedad: porque con justicia será afirmado el trono.
Los labios justos son el contentamiento de los reyes; y aman al que habla lo recto.
La ira del rey es mensajero de muerte: mas el hombre sabio la evitará.
En la alegría del rostro del rey está la vida; y su benevolencia es como nube de lluvia tardía.
Mejor es adquirir sabiduría que oro preciado; y adquirir inteligencia vale más que la plata.
El camino de los rectos es apartarse del mal: su alma guarda el que guarda su camino.
Antes del quebrantamiento es la soberbia; y antes de la caída la altivez de espíritu.
Mejor es humillar el espíritu con los humildes, que partir despojos con los soberbios.
El entendido en la palabra, hallará el bien: y el que confía en Jehová, él es bienaventurado.
El sabio de corazón es llamado entendido: y la dulzura de labios aumentará la doctrina.
Manantial de vida es el entendimiento al que lo posee: mas la erudición de los necios es necedad.
El corazón del sabio hace prudente su boca; y con sus labios aumenta la doctrina.
Panal de miel son los dichos suaves: suavidad al alma y medicina á los huesos.
Hay camino que parece derecho al hombre, mas su salida son caminos de muerte.
El alma del que trabaja, trabaja para sí; porque su boca le constriñe.
El hombre perverso cava el mal; y en sus labios hay como llama de fuego.
El hombre perverso levanta contienda; y el chismoso aparta los mejores amigos.
El hombre malo lisonjea á su prójimo, y le hace andar por el camino no bueno:
Cierra sus ojos para pensar perversidades; mueve sus labios, efectúa el mal.
Corona de honra es la vejez, que se hallará en el camino de justicia.
Mejor es el que tarde se aira que el fuerte; y el que se enseñorea de su espíritu, que el que toma una ciudad.
La suerte se echa en el seno: mas de Jehová es el juicio de ella.
MEJOR es un bocado seco, y en paz, que la casa de contienda llena de víctimas.
El siervo prudente se enseñoreará del hijo que deshonra, y entre los hermanos partirá la herencia.
El crisol para la plata, y la hornaza para el oro: mas Jehová prueba los corazones.
El malo está atento al labio inicuo; y el mentiroso escucha á la lengua detractora.
El que escarnece al pobre, afrenta á su Hacedor: y el que se alegra en la calamidad, no quedará sin castigo.
Corona de los viejos son los hijos de los hijos; y la honra de los hijos, sus padres.
No conviene al necio la altilocuencia: ¡cuánto menos al príncipe el labio mentiroso!
Piedra preciosa es el cohecho en ojos de sus dueños: á donde quiera que se vuelve, da prosperidad.
El que cubre la prevaricación, busca amistad: mas el que reitera la palabra, aparta al amigo.
Aprovecha la reprensión en el entendido, más que si cien veces hiriese en el necio.
El rebelde no busca sino mal; y mensajero cruel será contra él enviado.
Mejor es se encuentre un hombre con una osa á la cual han robado sus cachorros, que con un fatuo en su necedad.
El que da mal por bien, no se apartará el mal de su casa.
El que comienza la pendencia es como quien suelta las aguas: deja pues la porfía, antes que se enmarañe.
El que justifica al impío, y el que condena al justo, ambos á dos son abominación á Jehová.
¿De qué sirve el precio en la mano del necio para comprar sabiduría, no teniendo entendimiento?
En todo tiempo ama el amigo; y el hermano para la angustia es nacido.
El hombre falto de entendimiento toca la mano, fiando á otro delante de su amigo.
La prevaricación ama el que ama pleito; y el que alza su portada, quebrantamiento busca.
El perverso de corazón nunca hallará bien: y el que revuelve con su lengua, caerá en mal.
El que engendra al necio, para su tristeza lo engendra: y el padre del fatuo no se alegrará.
El corazón alegre produce buena disposición: mas el espíritu triste seca los huesos.
El impío toma dádiva del seno, para pervertir las sendas del derecho.
En el rostro del entendido aparece la sabiduría: mas los ojos del necio vagan hasta el cabo de la tierra.
El hijo necio es enojo á su padre, y amargura á la que lo engendró.
Ciertamente no es bueno condenar al justo, ni herir á los príncipes que hacen lo recto.
Detiene sus dichos el que tiene sabiduría: de prudente espíritu es el hombre entendido.
Aun el necio cuando calla, es contado por sabio: el que cierra sus labios es entendido.
SEGÚN su antojo busca el que se desvía, y se entremete en todo negocio.
No toma placer el necio en la inteligencia, sino en lo que su corazón se descubre.
Cuando viene el impío, viene también el menosprecio, y con el deshonrador la afrenta.
Aguas profundas son las palabras de la boca del hombre; y arroyo revertiente, la fuente de la sabiduría.
Tener respeto á la persona del impío, para hacer caer al justo de su derecho, no es bueno.
Los labios del necio vienen con pleito; y su boca á cuestiones llama.
La boca del necio es quebrantamiento para sí, y sus labios son lazos para su alma.
Las palabras del chismoso parecen blandas, y descienden hasta lo íntimo del vientre.
También el que es negligente en su obra es hermano del hombre disipador.
Torre fuerte es el nombre de Jehová: á él correrá el justo, y será levantado.
Las riquezas del rico son la ciudad de su fortaleza, y como un muro alto en su imaginación.
Antes del quebrantamiento se eleva el corazón del hombre, y antes de la honra es el abatimiento.
El que responde palabra antes de oir, le es fatuidad y oprobio.
El ánimo del hombre soportará su enfermedad: mas ¿quién soportará al ánimo angustiado?
El corazón del entendido adquiere sabiduría; y el oído de los sabios busca la ciencia.
El presente del hombre le ensancha el camino, y le lleva delante de los grandes.
El primero en su propia causa parece justo; y su adversario viene, y le sondea.
La suerte pone fin á los pleitos, y desparte los fuertes.
El hermano ofendido es más tenaz que una ciudad fuerte: y las contiendas de los hermanos son como cerrojos de alcázar.
Del fruto de la boca del hombre se hartará su vientre; hartaráse del producto de sus labios.
La muerte y la vida están en poder de la lengua; y el que la ama comerá de sus frutos.
El que halló esposa halló el bien, y alcanzó la benevolencia de Jehová.
El pobre habla con ruegos; mas el rico responde durezas.
El hombre que tiene amigos, ha de mostrarse amigo: y amigo hay más conjunto que el hermano.
MEJOR es el pobre que camina en su sencillez, que el de perversos labios y fatuo.
El alma sin ciencia no es buena; y el presuroso de pies peca.
La insensatez del hombre tuerce su camino; y contra Jehová se aira su corazón.
Las riquezas allegan muchos amigos: mas el pobre, de su amigo es apartado.
El testigo falso no quedará sin castigo; y el que habla mentiras no escapará.
Muchos rogarán al príncipe: mas cada uno es amigo del hombre que da.
Todos los hermanos del pobre le aborrecen: ¡cuánto más sus amigos se alejarán de él! buscará la palabra y no la hallará.
El que posee entendimiento, ama su alma: el que guarda la inteligencia, hallará el bien.
El testigo falso no quedará sin castigo; y el que habla mentiras, perecerá.
No conviene al necio el deleite: ¡cuánto menos al siervo ser señor de los príncipes!
La cordura del hombre detiene su furor; y su honra es disimular la ofensa.
Como el bramido del cachorro de león es la ira del rey; y su favor como el rocío sobre la hierba.
Dolor es para su padre el hijo necio; y gotera continua las contiendas de la mujer.
La casa y las riquezas herencia son de los padres: mas de Jehová la mujer prudente.
La pereza hace caer en sueño; y el alma negligente hambreará.
El que guarda el mandamiento, guarda su alma: mas el que menospreciare sus caminos, morirá.
A Jehová empresta el que da al pobre, y él le dará su paga.
Castiga á tu hijo en tanto que hay esperanza; mas no se excite tu alma para destruirlo.
El de grande ira llevará la pena: y si usa de violencias, añadirá nuevos males.
Escucha el consejo, y recibe la corrección, para que seas sabio en tu vejez.
Muchos pensamientos hay en el corazón del hombre; mas el consejo de Jehová permanecerá.
Contentamiento es á los hombres hacer misericordia: pero mejor es el pobre que el mentiroso.
El temor de Jehová es para vida; y con él vivirá el hombre, lleno de reposo; no será visitado de mal.
El perezoso esconde su mano en el seno: aun á su boca no la llevará.
Hiere al escarnecedor, y el simple se hará avisado; y corrigiendo al entendido, entenderá ciencia.
El que roba á su padre y ahuyenta á su madre, hijo es avergonzador y deshonrador.
Cesa, hijo mío, de oir la enseñanza que induce á divagar de las razones de sabiduría.
El testigo perverso se burlará del juicio; y la boca de los impíos encubrirá la iniquidad.
Aparejados están juicios para los escarnecedores, y azotes para los cuerpos de los insensatos.
EL vino es escarnecedor, la cerveza alborotadora; y cualquiera que por ello errare, no será sabio.
Como bramido de cachorro de león es el terror del rey: el que lo hace enfurecerse, peca contra su alma.
Honra es del hombre dejarse de contienda: mas todo insensato se envolverá en ella.
El perezoso no ara á causa del invierno; pedirá pues en la siega, y no hallará.
Como aguas profundas es el consejo en el corazón del hombre: mas el hombre entendido lo alcanzará.
Muchos hombres publican cada uno su liberalidad: mas hombre de verdad, ¿quién lo hallará?
El justo que camina en su integridad, bienaventurados serán sus hijos después de él.
El rey que se sienta en el trono de juicio, con su mirar disipa todo mal.
¿Quién podrá decir: Yo he limpiado mi corazón, limpio estoy de mi pecado?
Doble pesa y doble medida, abominación son á Jehová ambas cosas.
Aun el muchacho es conocido por sus hechos, si su obra fuere limpia y recta.
El oído que oye, y el ojo que ve, ambas cosas ha igualmente hecho Jehová.
No ames el sueño, porque no te empobrezcas; abre tus ojos, y te hartarás de pan.
El que compra dice: malo es, malo es: mas en apartándose, se alaba.
Hay oro y multitud de piedras preciosas: mas los labios sabios son vaso precioso.
Quítale su ropa al que salió por fiador del extraño; y tómale prenda al que fía la extraña.
Sabroso es al hombre el pan de mentira; mas después su boca será llena de cascajo.
Los pensamientos con el consejo se ordenan: y con industria se hace la guerra.
El que descubre el secreto, en chismes anda: no te entrometas, pues, con el que lisonjea con sus labios.
El que maldice á su padre ó á su madre, su lámpara será apagada en oscuridad tenebrosa.
La herencia adquirida de priesa al principio, aun su postrimería no será bendita.
No digas, yo me vengaré; espera á Jehová, y él te salvará.
Abominación son á Jehová las pesas dobles; y el peso falso no es bueno.
De Jehová son los pasos del hombre: ¿cómo pues entenderá el hombre su camino?
Lazo es al hombre el devorar lo santo, y andar pesquisando después de los votos.
El rey sabio esparce los impíos, y sobre ellos hace tornar la rueda.
Candela de Jehová es el alma del hombre, que escudriña lo secreto del vientre.
Misericordia y verdad guardan al rey; y con clemencia sustenta su trono.
La gloria de los jóvenes es su fortaleza, y la hermosura de los viejos la vejez.
Las señales de las heridas son medicina para lo malo: y las llagas llegan á lo más secreto del vientre.
COMO los repartimientos de las aguas, así está el corazón del rey en la mano de Jehová: á todo lo que quiere lo inclina.
Todo camino del hombre es recto en su opinión: mas Jehová pesa los corazones.
Hacer justicia y juicio es á Jehová más agradable que sacrificio.
Altivez de ojos, y orgullo de corazón, y el brillo de los impíos, son pecado.
Los pensamientos del solícito ciertamente van á abundancia; mas todo presuroso, indefectiblemente á pobreza.
Allegar tesoros con lengua de mentira, es vanidad desatentada de aquellos que buscan la muerte.
La rapiña de los impíos los destruirá; por cuanto no quisieron hacer juicio.
El camino del hombre perverso es torcido y extraño: mas la obra del limpio es recta.
Mejor es vivir en un rincón de zaquizamí, que con la mujer rencillosa en espaciosa casa.
El alma del impío desea mal: su prójimo no le parece bien.
Cuando el escarnecedor es castigado, el simple se hace sabio; y cuando se amonestare al sabio, aprenderá ciencia.
Considera el justo la casa del impío: cómo los impíos son trastornados por el mal.
El que cierra su oído al clamor del pobre, también él clamará, y no será oído.
El presente en secreto amansa el furor, y el don en el seno, la fuerte ira.
Alegría es al justo hacer juicio; mas quebrantamiento á los que hacen iniquidad.
El hombre que se extravía del camino de la sabiduría, vendrá á parar en la compañía de los muertos.
Hombre necesitado será el que ama el deleite: y el que ama el vino y ungüentos no enriquecerá.
El rescate del justo es el impío, y por los rectos el prevaricador.
Mejor es morar en tierra del desierto, que con la mujer rencillosa é iracunda.
Tesoro codiciable y pingüe hay en la casa del sabio; mas el hombre insensato lo disipará.
El que sigue la justicia y la misericordia, hallará la vida, la justicia, y la honra.
La ciudad de los fuertes tomó el sabio, y derribó la fuerza en que ella confiaba.
El que guarda su boca y su lengua, su alma guarda de angustias.
Soberbio y presuntuoso escarnecedor es el nombre del que obra con orgullosa saña.
El deseo del perezoso le mata, porque sus manos no quieren trabajar.
Hay quien todo el día codicia: mas el justo da, y no desperdicia.
El sacrificio de los impíos es abominación: ¡cuánto más ofreciéndolo con maldad!
El testigo mentiroso perecerá: mas el hombre que oye, permanecerá en su dicho.
El hombre impío afirma su rostro: mas el recto ordena sus caminos.
No hay sabiduría, ni inteligencia, ni consejo, contra Jehová.
El caballo se apareja para el día de la batalla: mas de Jehová es el salvar.
DE más estima es la buena fama que las muchas riquezas; y la buena gracia más que la plata y el oro.
El rico y el pobre se encontraron: á todos ellos hizo Jehová.
El avisado ve el mal, y escóndese: mas los simples pasan, y reciben el daño.
Riquezas, y honra, y vida, son la remuneración de la humildad y del temor de Jehová.
Espinas y lazos hay en el camino del perverso: el que guarda su alma se alejará de ellos.
Instruye al niño en su carrera: aun cuando fuere viejo no se apartará de ella.
El rico se enseñoreará de los pobres; y el que toma prestado, siervo es del que empresta.
El que sembrare iniquidad, iniquidad segará: y consumiráse la vara de su ira.
El ojo misericordioso será bendito, porque dió de su pan al indigente.
Echa fuera al escarnecedor, y saldrá la contienda, y cesará el pleito y la afrenta.
El que ama la limpieza de corazón, por la gracia de sus labios su amigo será el rey.
Los ojos de Jehová miran por la ciencia; mas él trastorna las cosas de los prevaricadores.
Dice el perezoso: El león está fuera; en mitad de las calles seré muerto.
Sima profunda es la boca de las extrañas: aquel contra el cual estuviere Jehová airado, caerá en ella.
La necedad está ligada en el corazón del muchacho; mas la vara de la corrección la hará alejar de él.
El que oprime al pobre para aumentarse él, y que da al rico, ciertamente será pobre.
Inclina tu oído, y oye las palabras de los sabios, y pon tu corazón á mi sabiduría:
Porque es cosa deleitable, si las guardares en tus entrañas; y que juntamente sean ordenadas en tus labios.
Para que tu confianza sea en Jehová, te las he hecho saber hoy á ti también.
¿No te he escrito tres veces en consejos y ciencia,
Para hacerte saber la certidumbre de las razones verdaderas, para que puedas responder razones de verdad á los que á ti enviaren?
No robes al pobre, porque es pobre, ni quebrantes en la puerta al afligido:
Porque Jehová juzgará la causa de ellos, y despojará el alma de aquellos que los despojaren.
No te entrometas con el iracundo, ni te acompañes con el hombre de enojos;
Porque no aprendas sus maneras, y tomes lazo para tu alma.
No estés entre los que tocan la mano, entre los que fían por deudas.
Si no tuvieres para pagar, ¿por qué han de quitar tu cama de debajo de ti?
No traspases el término antiguo que pusieron tus padres.
¿Has visto hombre solícito en su obra? delante de los reyes estará; no estará delante de los de baja suerte.
CUANDO te sentares á comer con algún señor, considera bien lo que estuviere delante de ti;
Y pon cuchillo á tu garganta, si tienes gran apetito.
No codicies sus manjares delicados, porque es pan engañoso.
No trabajes por ser rico; pon coto á tu prudencia.
¿Has de poner tus ojos en las riquezas, siendo ningunas? porque hacerse han alas, como alas de águila, y volarán al cielo.
No comas pan de hombre de mal ojo, ni codicies sus manjares:
Porque cual es su pensamiento en su alma, tal es él. Come y bebe, te dirá; mas su corazón no está contigo.
Vomitarás la parte que tú comiste, y perderás tus suaves palabras.
No hables á oídos del necio; porque menospreciará la prudencia de tus razones.
No traspases el término antiguo, ni entres en la heredad de los huérfanos:
Porque el defensor de ellos es el Fuerte, el cual juzgará la causa de ellos contra ti.
Aplica tu corazón á la enseñanza, y tus oídos á las palabras de sabiduría.
No rehuses la corrección del muchacho: porque si lo hirieres con vara, no morirá.
Tú lo herirás con vara, y librarás su alma del infierno.
Hijo mío, si tu corazón fuere sabio, también á mí se me alegrará el corazón;
Mis entrañas también se alegrarán, cuando tus labios hablaren cosas rectas.
No tenga tu corazón envidia de los pecadores, antes persevera en el temor de Jehová todo tiempo:
Porque ciertamente hay fin, y tu esperanza no será cortada.
Oye tú, hijo mío, y sé sabio, y endereza tu corazón al camino.
No estés con los bebedores de vino, ni con los comedores de carne:
Porque el bebedor y el comilón empobrecerán: y el sueño hará vestir vestidos rotos.
Oye á tu padre, á aquel que te engendró; y cuando tu madre envejeciere, no la menosprecies.
Compra la verdad, y no la vendas; la sabiduría, la enseñanza, y la inteligencia.
Mucho se alegrará el padre del justo: y el que engendró sabio se gozará con él.
Alégrense tu padre y tu madre, y gócese la que te engendró.
Dame, hijo mío, tu corazón, y miren tus ojos por mis caminos.
Porque sima profunda es la ramera, y pozo angosto la extraña.
También ella, como robador, acecha, y multiplica entre los hombres los prevaricadores.
¿Para quién será el ay? ¿para quién el ay? ¿para quién las rencillas? ¿para quién las quejas? ¿para quién las heridas en balde? ¿para quién lo amoratado de los ojos?
Para los que se detienen mucho en el vino, para los que van buscando la mistura.
No mires al vino cuando rojea, cuando resplandece su color en el vaso: éntrase suavemente;
Mas al fin como serpiente morderá, y como basilisco dará dolor:
Tus ojos mirarán las extrañas, y tu corazón hablará perversidades.
Y serás como el que yace en medio de la mar, ó como el que está en la punta de un mastelero.
Y dirás: Hiriéronme, mas no me dolió; azotáronme, mas no lo sentí; cuando despertare, aun lo tornaré á buscar.
NO tengas envidia de los hombres malos, ni desees estar con ellos:
Porque su corazón piensa en robar, é iniquidad hablan sus labios.
Con sabiduría se edificará la casa, y con prudencia se afirmará:
Y con ciencia se henchirán las cámaras de todo bien preciado y agradable.
El hombre sabio es fuerte; y de pujante vigor el hombre docto.
Porque con ingenio harás la guerra: y la salud está en la multitud de consejeros.
Alta está para el insensato la sabiduría: en la puerta no abrirá él su boca.
Al que piensa mal hacer le llamarán hombre de malos pensamientos.
El pensamiento del necio es pecado: y abominación á los hombres el escarnecedor.
Si fueres flojo en el día de trabajo, tu fuerza será reducida.
Si dejares de librar los que son tomados para la muerte, y los que son llevados al degolladero;
Si dijeres: Ciertamente no lo supimos; ¿no lo entenderá el que pesa los corazones? El que mira por tu alma, él lo conocerá, y dará al hombre según sus obras.
Come, hijo mío, de la miel, porque es buena, y del panal dulce á tu paladar:
Tal será el conocimiento de la sabiduría á tu alma: si la hallares tendrá recompensa, y al fin tu esperanza no será cortada.
Oh impío, no aceches la tienda del justo, no saquees su cámara;
Porque siete veces cae el justo, y se torna á levantar; mas los impíos caerán en el mal.
Cuando cayere tu enemigo, no te huelgues; y cuando tropezare, no se alegre tu corazón:
Porque Jehová no lo mire, y le desagrade, y aparte de sobre él su enojo.
No te entrometas con los malignos, ni tengas envidia de los impíos;
Porque para el malo no habrá buen fin, y la candela de los impíos será apagada.
Teme á Jehová, hijo mío, y al rey; no te entrometas con los veleidosos:
Porque su quebrantamiento se levantará de repente; y el quebrantamiento de ambos, ¿quién lo comprende?
También estas cosas pertenecen á los sabios. Tener respeto á personas en el juicio no es bueno.
El que dijere al malo, Justo eres, los pueblos lo maldecirán, y le detestarán las naciones:
Mas los que lo reprenden, serán agradables, y sobre ellos vendrá bendición de bien.
Besados serán los labios del que responde palabras rectas.
Apresta tu obra de afuera, y disponla en tu heredad; y después edificarás tu casa.
No seas sin causa testigo contra tu prójimo; y no lisonjees con tus labios.
No digas: Como me hizo, así le haré; daré el pago al hombre según su obra.
Pasé junto á la heredad del hombre perezoso, y junto á la viña del hombre falto de entendimiento;
Y he aquí que por toda ella habían ya crecido espinas, ortigas habían ya cubierto su haz, y su cerca de piedra estaba ya destruída.
Y yo miré, y púselo en mi corazón: vilo, y tomé consejo.
Un poco de sueño, cabeceando otro poco, poniendo mano sobre mano otro poco para dormir;
Así vendrá como caminante tu necesidad, y tu pobreza como hombre de escudo.
TAMBIÉN estos son proverbios de Salomón, los cuales copiaron los varones de Ezechîas, rey de Judá.
Gloria de Dios es encubrir la palabra; mas honra del rey es escudriñar la palabra.
Para la altura de los cielos, y para la profundidad de la tierra, y para el corazón de los reyes, no hay investigación.
Quita las escorias de la plata, y saldrá vaso al fundidor.
Aparta al impío de la presencia del rey, y su trono se afirmará en justicia.
No te alabes delante del rey, ni estés en el lugar de los grandes:
Porque mejor es que se te diga, Sube acá, que no que seas humillado delante del príncipe que miraron tus ojos.
No salgas á pleito presto, no sea que no sepas qué hacer al fin, después que tu prójimo te haya dejado confuso.
Trata tu causa con tu compañero y no descubras el secreto á otro.
No sea que te deshonre el que lo oyere, y tu infamia no pueda repararse.
Manzana de oro con figuras de plata es la palabra dicha como conviene.
Como zarcillo de oro y joyel de oro fino, es el que reprende al sabio que tiene oído dócil.
Como frío de nieve en tiempo de la siega, así es el mensajero fiel á los que lo envían: pues al alma de su señor da refrigerio.
Como nubes y vientos sin lluvia, así es el hombre que se jacta de vana liberalidad.
Con larga paciencia se aplaca el príncipe; y la lengua blanda quebranta los huesos.
¿Hallaste la miel? come lo que te basta; no sea que te hartes de ella, y la vomites.
Detén tu pie de la casa de tu vecino, porque harto de ti no te aborrezca.
Martillo y cuchillo y saeta aguda, es el hombre que habla contra su prójimo falso testimonio.
Diente quebrado y pie resbalador, es la confianza en el prevaricador en tiempo de angustia.
El que canta canciones al corazón afligido, es como el que quita la ropa en tiempo de frío, ó el que sobre el jabón echa vinagre.
Si el que te aborrece tuviere hambre, dale de comer pan; y si tuviere sed, dale de beber agua:
Porque ascuas allegas sobre su cabeza, y Jehová te lo pagará.
El viento del norte ahuyenta la lluvia, y el rostro airado la lengua detractora.
Mejor es estar en un rincón de casa, que con la mujer rencillosa en espaciosa casa.
Como el agua fría al alma sedienta, así son las buenas nuevas de lejanas tierras.
Como fuente turbia y manantial corrompido, es el justo que cae delante del impío.
Comer mucha miel no es bueno: ni el buscar la propia gloria es gloria.
Como ciudad derribada y sin muro, es el hombre cuyo espíritu no tiene rienda.
COMO la nieve en el verano, y la lluvia en la siega, así conviene al necio la honra.
Como el gorrión en su vagar, y como la golondrina en su vuelo, así la maldición sin causa nunca vendrá.
El látigo para el caballo, y el cabestro para el asno, y la vara para la espalda del necio.
Nunca respondas al necio en conformidad á su necedad, para que no seas tú también como él.
Responde al necio según su necedad, porque no se estime sabio en su opinión.
Como el que se corta los pies y bebe su daño, así es el que envía algo por mano de un necio.
Alzar las piernas del cojo, así es el proverbio en la boca del necio.
Como quien liga la piedra en la honda, así hace el que al necio da honra.
Espinas hincadas en mano del embriagado, tal es el proverbio en la boca de los necios.
El grande cría todas las cosas; y da la paga al insensato, y la da á los transgresores.
Como perro que vuelve á su vómito, así el necio que repite su necedad.
¿Has visto hombre sabio en su opinión? más esperanza hay del necio que de él.
Dice el perezoso: El león está en el camino; el león está en las calles.
Las puertas se revuelven en sus quicios: así el perezoso en su cama.
Esconde el perezoso su mano en el seno; cánsase de tornarla á su boca.
A su ver es el perezoso más sabio que siete que le den consejo.
El que pasando se deja llevar de la ira en pleito ajeno, es como el que toma al perro por las orejas.
Como el que enloquece, y echa llamas y saetas y muerte,
Tal es el hombre que daña á su amigo, y dice: Ciertamente me chanceaba.
Sin leña se apaga el fuego: y donde no hay chismoso, cesa la contienda.
El carbón para brasas, y la leña para el fuego: y el hombre rencilloso para encender contienda.
Las palabras del chismoso parecen blandas; mas ellas entran hasta lo secreto del vientre.
Como escoria de plata echada sobre el tiesto, son los labios enardecidos y el corazón malo.
Otro parece en los labios el que aborrece; mas en su interior pone engaño.
Cuando hablare amigablemente, no le creas; porque siete abominaciones hay en su corazón.
Encúbrese el odio con disimulo; mas su malicia será descubierta en la congregación.
El que cavare sima, caerá en ella: y el que revuelva la piedra, á él volverá.
La falsa lengua atormenta al que aborrece: y la boca lisonjera hace resbaladero.
NO te jactes del día de mañana; porque no sabes qué dará de sí el día.
Alábete el extraño, y no tu boca; el ajeno, y no tus labios.
Pesada es la piedra, y la arena pesa; mas la ira del necio es más pesada que ambas cosas.
Cruel es la ira, é impetuoso el furor; mas ¿quién parará delante de la envidia?
Mejor es reprensión manifiesta que amor oculto.
Fieles son las heridas del que ama; pero importunos los besos del que aborrece.
El alma harta huella el panal de miel; mas al alma hambrienta todo lo amargo es dulce.
Cual ave que se va de su nido, tal es el hombre que se va de su lugar.
El ungüento y el perfume alegran el corazón: y el amigo al hombre con el cordial consejo.
No dejes á tu amigo, ni al amigo de tu padre; ni entres en casa de tu hermano el día de tu aflicción: mejor es el vecino cerca que el hermano lejano.
Sé sabio, hijo mío, y alegra mi corazón, y tendré qué responder al que me deshonrare.
El avisado ve el mal, y escóndese; mas los simples pasan, y llevan el daño.
Quítale su ropa al que fió al extraño; y al que fió á la extraña, tómale prenda.
El que bendice á su amigo en alta voz, madrugando de mañana, por maldición se le contará.
Gotera continua en tiempo de lluvia, y la mujer rencillosa, son semejantes:
El que pretende contenerla, arresta el viento: ó el aceite en su mano derecha.
Hierro con hierro se aguza; y el hombre aguza el rostro de su amigo.
El que guarda la higuera, comerá su fruto; y el que guarda á su señor, será honrado.
Como un agua se parece á otra, así el corazón del hombre al otro.
El sepulcro y la perdición nunca se hartan: así los ojos del hombre nunca están satisfechos.
El crisol prueba la plata, y la hornaza el oro: y al hombre la boca del que lo alaba.
Aunque majes al necio en un mortero entre granos de trigo á pisón majados, no se quitará de él su necedad.
Considera atentamente el aspecto de tus ovejas; pon tu corazón á tus rebaños:
Porque las riquezas no son para siempre; ¿y será la corona para perpetuas generaciones?
Saldrá la grama, aparecerá la hierba, y segaránse las hierbas de los montes.
Los corderos para tus vestidos, y los cabritos para el precio del campo:
Y abundancia de leche de las cabras para tu mantenimiento, y para mantenimiento de tu casa, y para sustento de tus criadas.
HUYE el impío sin que nadie lo persiga: mas el justo está confiado como un leoncillo.
Por la rebelión de la tierra sus príncipes son muchos: mas por el hombre entendido y sabio permanecerá sin mutación.
El hombre pobre y robador de los pobres, es lluvia de avenida y sin pan.
Los que dejan la ley, alaban á los impíos: mas los que la guardan, contenderán con ellos.
Los hombres malos no entienden el juicio: mas los que buscan á Jehová, entienden todas las cosas.
Mejor es el pobre que camina en su integridad, que el de perversos caminos, y rico.
El que guarda la ley es hijo prudente: mas el que es compañero de glotones, avergüenza á su padre.
El que aumenta sus riquezas con usura y crecido interés, para que se dé á los pobres lo allega.
El que aparta su oído para no oir la ley, su oración también es abominable.
El que hace errar á los rectos por el mal camino, él caerá en su misma sima: mas los perfectos heredarán el bien.
El hombre rico es sabio en su opinión: mas el pobre entendido lo examinará.
Cuando los justos se alegran, grande es la gloria; mas cuando los impíos son levantados, es buscado el hombre.
El que encubre sus pecados, no prosperará: mas el que los confiesa y se aparta, alcanzará misericordia.
Bienaventurado el hombre que siempre está temeroso: mas el que endurece su corazón, caerá en mal.
León rugiente y oso hambriento, es el príncipe impío sobre el pueblo pobre.
El príncipe falto de entendimiento multiplicará los agravios: mas el que aborrece la avaricia, prolongará sus días.
El hombre que hace violencia con sangre de persona, huirá hasta el sepulcro, y nadie le detendrá.
El que en integridad camina, será salvo; mas el de perversos caminos caerá en alguno.
El que labra su tierra, se hartará de pan: mas el que sigue los ociosos, se hartará de pobreza.
El hombre de verdad tendrá muchas bendiciones: mas el que se apresura á enriquecer, no será sin culpa.
Tener acepción de personas, no es bueno: hasta por un bocado de pan prevaricará el hombre.
Apresúrase á ser rico el hombre de mal ojo; y no conoce que le ha de venir pobreza.
El que reprende al hombre, hallará después mayor gracia que el que lisonjea con la lengua.
El que roba á su padre ó á su madre, y dice que no es maldad, compañero es del hombre destruidor.
El altivo de ánimo suscita contiendas: mas el que en Jehová confía, medrará.
El que confía en su corazón es necio; mas el que camina en sabiduría, será salvo.
El que da al pobre, no tendrá pobreza: mas el que aparta sus ojos, tendrá muchas maldiciones.
Cuando los impíos son levantados, esconderáse el hombre: mas cuando perecen, los justos se multiplican.
EL hombre que reprendido endurece la cerviz, de repente será quebrantado; ni habrá para él medicina.
Cuando los justos dominan, el pueblo se alegra: mas cuando domina el impío, el pueblo gime.
El hombre que ama la sabiduría, alegra á su padre: mas el que mantiene rameras, perderá la hacienda.
El rey con el juicio afirma la tierra: mas el hombre de presentes la destruirá.
El hombre que lisonjea á su prójimo, red tiende delante de sus pasos.
En la prevaricación del hombre malo hay lazo: mas el justo cantará y se alegrará.
Conoce el justo la causa de los pobres: mas el impío no entiende sabiduría.
Los hombres escarnecedores enlazan la ciudad: mas los sabios apartan la ira.
Si el hombre sabio contendiere con el necio, que se enoje ó que se ría, no tendrá reposo.
Los hombres sanguinarios aborrecen al perfecto: mas los rectos buscan su contentamiento.
El necio da suelta á todo su espíritu; mas el sabio al fin le sosiega.
Del señor que escucha la palabra mentirosa, todos sus ministros son impíos.
El pobre y el usurero se encontraron: Jehová alumbra los ojos de ambos.
El rey que juzga con verdad á los pobres, su trono será firme para siempre.
La vara y la corrección dan sabiduría: mas el muchacho consentido avergonzará á su madre.
Cuando los impíos son muchos, mucha es la prevaricación; mas los justos verán la ruina de ellos.
Corrige á tu hijo, y te dará descanso, y dará deleite á tu alma.
Sin profecía el pueblo será disipado: mas el que guarda la ley, bienaventurado él.
El siervo no se corregirá con palabras: porque entiende, mas no corresponde.
¿Has visto hombre ligero en sus palabras? más esperanza hay del necio que de él.
El que regala á su siervo desde su niñez, á la postre será su hijo.
El hombre iracundo levanta contiendas; y el furioso muchas veces peca.
La soberbia del hombre le abate; pero al humilde de espíritu sustenta la honra.
El aparcero del ladrón aborrece su vida; oirá maldiciones, y no lo denunciará.
El temor del hombre pondrá lazo: mas el que confía en Jehová será levantado.
Muchos buscan el favor del príncipe: mas de Jehová viene el juicio de cada uno.
Abominación es á los justos el hombre inicuo; y abominación es al impío el de rectos caminos.
PALABRAS de Agur, hijo de Jachê: La profecía que dijo el varón á Ithiel, á Ithiel y á Ucal.
Ciertamente más rudo soy yo que ninguno, ni tengo entendimiento de hombre.
Yo ni aprendí sabiduría, ni conozco la ciencia del Santo.
¿Quién subió al cielo, y descendió? ¿quién encerró los vientos en sus puños? ¿quién ató las aguas en un paño? ¿quién afirmó todos los términos de la tierra? ¿cuál es su nombre, y el nombre de su hijo, si sabes?
Toda palabra de Dios es limpia; es escudo á los que en él esperan.
No añadas á sus palabras, porque no te reprenda, y seas hallado mentiroso.
Dos cosas te he demandado; no me las niegues antes que muera.
Vanidad y palabra mentirosa aparta de mí. No me des pobreza ni riquezas; manténme del pan que he menester;
No sea que me harte, y te niegue, y diga, ¿Quién es Jehová? ó no sea que siendo pobre, hurte, y blasfeme el nombre de mi Dios.
No acuses al siervo ante su señor, porque no te maldiga, y peques.
Hay generación que maldice á su padre, y á su madre no bendice.
Hay generación limpia en su opinión, si bien no se ha limpiado su inmundicia.
Hay generación cuyos ojos son altivos, y cuyos párpados son alzados.
Hay generación cuyos dientes son espadas, y sus muelas cuchillos, para devorar á los pobres de la tierra, y de entre los hombres á los menesterosos.
La sanguijuela tiene dos hijas que se llaman, Trae, trae. Tres cosas hay que nunca se hartan; aun la cuarta nunca dice, Basta:
El sepulcro, y la matriz estéril, la tierra no harta de aguas, y el fuego que jamás dice, Basta.
El ojo que escarnece á su padre, y menosprecia la enseñanza de la madre, los cuervos lo saquen de la arroyada, y tráguenlo los hijos del águila.
Tres cosas me son ocultas; aun tampoco sé la cuarta:
El rastro del águila en el aire; el rastro de la culebra sobre la peña; el rastro de la nave en medio de la mar; y el rastro del hombre en la moza.
Tal es el rastro de la mujer adúltera: come, y limpia su boca, y dice: No he hecho maldad.
Por tres cosas se alborota la tierra, y la cuarta no puede sufrir:
Por el siervo cuando reinare; y por el necio cuando se hartare de pan;
Por la aborrecida cuando se casare; y por la sierva cuando heredare á su señora.
Cuatro cosas son de las más pequeñas de la tierra, y las mismas son más sabias que los sabios:
Las hormigas, pueblo no fuerte, y en el verano preparan su comida;
Los conejos, pueblo nada esforzado, y ponen su casa en la piedra;
Las langostas, no tienen rey, y salen todas acuadrilladas;
La araña, ase con las manos, y está en palacios de rey.
Tres cosas hay de hermoso andar, y la cuarta pasea muy bien:
El león, fuerte entre todos los animales, que no torna atrás por nadie;
El lebrel ceñido de lomos; asimismo el macho cabrío; y un rey contra el cual ninguno se levanta.
Si caiste, fué porque te enalteciste; y si mal pensaste, pon el dedo sobre la boca.
Ciertamente el que exprime la leche, sacará manteca; y el que recio se suena las narices, sacará sangre: y el que provoca la ira, causará contienda.
PALABRAS del rey Lemuel; la profecía con que le enseñó su madre.
¿Qué, hijo mío? ¿y qué, hijo de mi vientre? ¿y qué, hijo de mis deseos?
No des á las mujeres tu fuerza, ni tus caminos á lo que es para destruir los reyes.
No es de los reyes, oh Lemuel, no es de los reyes beber vino, ni de los príncipes la cerveza.
No sea que bebiendo olviden la ley, y perviertan el derecho de todos los hijos afligidos.
Dad la cerveza al desfallecido, y el vino á los de amargo ánimo:
Beban, y olvídense de su necesidad, y de su miseria no más se acuerden.
Abre tu boca por el mudo, en el juicio de todos los hijos de muerte.
Abre tu boca, juzga justicia, y el derecho del pobre y del menesteroso.
Mujer fuerte, ¿quién la hallará? porque su estima sobrepuja largamente á la de piedras preciosas.
El corazón de su marido está en ella confiado, y no tendrá necesidad de despojo.
Darále ella bien y no mal, todos los días de su vida.
Buscó lana y lino, y con voluntad labró de sus manos.
Fué como navío de mercader: trae su pan de lejos.
Levantóse aun de noche, y dió comida á su familia, y ración á sus criadas.
Consideró la heredad, y compróla; y plantó viña del fruto de sus manos.
Ciñó sus lomos de fortaleza, y esforzó sus brazos.
Gustó que era buena su granjería: su candela no se apagó de noche.
Aplicó sus manos al huso, y sus manos tomaron la rueca.
Alargó su mano al pobre, y extendió sus manos al menesteroso.
No tendrá temor de la nieve por su familia, porque toda su familia está vestida de ropas dobles.
Ella se hizo tapices; de lino fino y púrpura es su vestido.
Conocido es su marido en las puertas, cuando se sienta con los ancianos de la tierra.
Hizo telas, y vendió; y dió cintas al mercader.
Fortaleza y honor son su vestidura; y en el día postrero reirá.
Abrió su boca con sabiduría: y la ley de clemencia está en su lengua.
Considera los caminos de su casa, y no come el pan de balde.
Levantáronse sus hijos, y llamáronla bienaventurada; y su marido también la alabó.
Muchas mujeres hicieron el bien; mas tú las sobrepujaste á todas.
Engañosa es la gracia, y vana la hermosura: la mujer que teme á Jehová, ésa será alabada.
Dadle el fruto de sus manos, y alábenla en las puertas sus hechos.
LAS palabras de Amós, que fué entre los pastores de Tecoa, las cuales vió acerca de Israel en días de Uzzía rey de Judá, y en días de Jeroboam hijo de Joas rey de Israel, dos años antes del terremoto.
Y dijo: Jehová bramará desde Sión, y dará su voz desde Jerusalem; y las estancias de los pastores se enlutarán, y secaráse la cumbre del Carmelo.
Así ha dicho Jehová: Por tres pecados de Damasco, y por el cuarto, no desviaré su castigo; porque trillaron á Galaad con trillos de hierro.
Y meteré fuego en la casa de Hazael, y consumirá los palacios de Benhadad.
Y quebraré la barra de Damasco, y talaré los moradores de Bicath-aven, y los gobernadores de Beth-eden: y el pueblo de Aram será trasportado á Chîr, dice Jehová.
Así ha dicho Jehová: Por tres pecados de Gaza, y por el cuarto, no desviaré su castigo; porque llevó cautiva toda la cautividad, para entregarlos á Edom.
Y meteré fuego en el muro de Gaza, y quemará sus palacios.
Y talaré los moradores de Azoto, y los gobernadores de Ascalón: y tornaré mi mano sobre Ecrón, y las reliquias de los Palestinos perecerán, ha dicho el Señor Jehová.
Así ha dicho Jehová: Por tres pecados de Tiro, y por el cuarto, no desviaré su castigo; porque entregaron la cautividad entera á Edom, y no se acordaron del concierto de hermanos.
Y meteré fuego en el muro de Tiro, y consumirá sus palacios.
Así ha dicho Jehová: Por tres pecados de Edom, y por el cuarto, no desviaré su castigo; porque persiguió á cuchillo á su hermano, y rompió sus conmiseraciones; y con su furor le ha robado siempre, y ha perpetuamente guardado el enojo.
Y meteré fuego en Temán, y consumirá los palacios de Bosra.
Así ha dicho Jehová: Por tres pecados de los hijos de Ammón, y por el cuarto, no desviaré su castigo; porque abrieron las preñadas de Galaad, para ensanchar su término.
Y encenderé fuego en el muro de Rabba, y consumirá sus palacios con estruendo en día de batalla, con tempestad en día tempestuoso:
Y su rey irá en cautiverio, él y sus príncipes todos, dice Jehová.
ASÍ ha dicho Jehová: Por tres pecados de Moab, y por el cuarto, no desviaré su castigo; porque quemó los huesos del rey de Idumea hasta tornarlos en cal.
Y meteré fuego en Moab, y consumirá los palacios de Chêrioth: y morirá Moab en alboroto, en estrépito y sonido de trompeta.
Y quitaré el juez de en medio de él, y mataré con él á todos sus príncipes, dice Jehová.
Así ha dicho Jehová: Por tres pecados de Judá, y por el cuarto, no desviaré su castigo; porque menospreciaron la ley de Jehová, y no guardaron sus ordenanzas; é hiciéronlos errar sus mentiras, en pos de las cuales anduvieron sus padres.
Meteré por tanto fuego en Judá, el cual consumirá los palacios de Jerusalem.
Así ha dicho Jehová: Por tres pecados de Israel, y por el cuarto, no desviaré su castigo; porque vendieron por dinero al justo, y al pobre por un par de zapatos:
Que anhelan porque haya polvo de tierra sobre la cabeza de los pobres, y tuercen el camino de los humildes: y el hombre y su padre entraron á la misma moza, profanando mi santo nombre.
Y sobre las ropas empeñadas se acuestan junto á cualquier altar; y el vino de los penados beben en la casa de sus dioses.
Y yo destruí delante de ellos al Amorrheo, cuya altura era como la altura de los cedros, y fuerte como un alcornoque; y destruí su fruto arriba, sus raíces abajo.
Y yo os hice á vosotros subir de la tierra de Egipto, y os traje por el desierto cuarenta años, para que poseyeseis la tierra del Amorrheo.
Y levanté de vuestros hijos para profetas, y de vuestros mancebos para que fuesen Nazareos. ¿No es esto así, dice Jehová, hijos de Israel?
Mas vosotros disteis de beber vino á los Nazareos; y á los profetas mandasteis, diciendo: No profeticéis.
Pues he aquí, yo os apretaré en vuestro lugar, como se aprieta el carro lleno de haces;
Y la huída perecerá del ligero, y el fuerte no esforzará su fuerza, ni el valiente librará su vida;
Y el que toma el arco no resistirá, ni escapará el ligero de pies, ni el que cabalga en caballo salvará su vida.
El esforzado entre esforzados huirá desnudo aquel día, dice Jehová.
OID esta palabra que ha hablado Jehová contra vosotros, hijos de Israel, contra toda la familia que hice subir de la tierra de Egipto. Dice así:
A vosotros solamente he conocido de todas las familias de la tierra; por tanto visitaré contra vosotros todas vuestras maldades.
¿Andarán dos juntos, si no estuvieren de concierto?
¿Bramará el león en el monte sin hacer presa? ¿dará el leoncillo su bramido desde su morada, si no prendiere?
¿Caerá el ave en el lazo en la tierra, sin haber armador? ¿alzaráse el lazo de la tierra, si no se ha prendido algo?
¿Tocaráse la trompeta en la ciudad, y no se alborotará el pueblo? ¿habrá algún mal en la ciudad, el cual Jehová no haya hecho?
Porque no hará nada el Señor Jehová, sin que revele su secreto á sus siervos los profetas.
Bramando el león, ¿quién no temerá? hablando el Señor Jehová, ¿quién no profetizará?
Haced pregonar sobre los palacios de Azoto, y sobre los palacios de tierra de Egipto, y decid: Reuníos sobre los montes de Samaria, y ved muchas opresiones en medio de ella, y violencias en medio de ella.
Y no saben hacer lo recto, dice Jehová, atesorando rapiñas y despojos en sus palacios.
Por tanto, el Señor Jehová ha dicho así: Un enemigo habrá aún por todos lados de la tierra, y derribará de ti tu fortaleza, y tus palacios serán saqueados.
Así ha dicho Jehová: De la manera que el pastor libra de la boca del león dos piernas, ó la punta de una oreja, así escaparán los hijos de Israel que moran en Samaria en el rincón de la cama, y al canto del lecho.
Oid y protestad en la casa de Jacob, ha dicho Jehová Dios de los ejércitos:
Que el día que visitaré las rebeliones de Israel sobre él, visitaré también sobre los altares de Beth-el; y serán cortados los cuernos del altar, y caerán á tierra.
Y heriré la casa del invierno con la casa del verano, y las casas de marfil perecerán; y muchas casas serán arruinadas, dice Jehová.
OID esta palabra, vacas de Basán, que estáis en el monte de Samaria, que oprimís los pobres, que quebrantáis los menesterosos, que decís á sus señores: Traed, y beberemos.
El Señor Jehová juró por su santidad: He aquí, vienen días sobre vosotros en que os llevará en anzuelos, y á vuestros descendientes en barquillos de pescador.
Y saldrán por los portillos la una en pos de la otra, y seréis echadas del palacio, dice Jehová.
Id á Beth-el, y prevaricad; en Gilgal aumentad la rebelión, y traed de mañana vuestros sacrificios, y vuestros diezmos cada tres años;
Y ofreced sacrificio de alabanza con leudo, y pregonad, publicad voluntarias ofrendas; pues que así lo queréis, hijos de Israel, dice el Señor Jehová.
Yo también os dí limpieza de dientes en todas vuestras ciudades, y falta de pan en todos vuestros pueblos: mas no os tornasteis á mí, dice Jehová.
Y también yo os detuve la lluvia tres meses antes de la siega: é hice llover sobre una ciudad, y sobre otra ciudad no hice llover: sobre una parte llovió; la parte sobre la cual no llovió, secóse.
Y venían dos ó tres ciudades á una ciudad para beber agua, y no se hartaban: con todo no os tornasteis á mí, dice Jehová.
Os herí con viento solano y oruga; vuestros muchos huertos y vuestras viñas, y vuestros higuerales y vuestros olivares comió la langosta: pero nunca os tornasteis á mí, dice Jehová.
Envié entre vosotros mortandad al modo que en Egipto: maté á cuchillo vuestros mancebos, con cautiverio de vuestros caballos; é hice subir el hedor de vuestros reales hasta vuestras narices: empero no os tornasteis á mí, dice Jehová.
Trastornéos, como cuando Dios trastornó á Sodoma y á Gomorra, y fuisteis como tizón escapado del fuego: mas no os tornasteis á mí, dice Jehová.
Por tanto, de esta manera haré á ti, oh Israel: y porque te he de hacer esto, aparéjate para venir al encuentro á tu Dios, oh Israel.
Porque he aquí, el que forma los montes, y cría el viento, y denuncia al hombre su pensamiento; el que hace á las tinieblas mañana, y pasa sobre las alturas de la tierra; Jehová, Dios de los ejércitos, es su nombre.
OID esta palabra, porque yo levanto endecha sobre vosotros, casa de Israel.
Cayó la virgen de Israel, no más podrá levantarse; dejada fué sobre su tierra, no hay quien la levante.
Porque así ha dicho el Señor Jehová: La ciudad que sacaba mil, quedará con ciento; y la que sacaba ciento, quedará con diez, en la casa de Israel.
Empero así dice Jehová á la casa de Israel: Buscadme, y viviréis;
Y no busquéis á Beth-el ni entréis en Gilgal, ni paséis á Beer-seba: porque Gilgal será llevada en cautiverio, y Beth-el será deshecha.
Buscad á Jehová, y vivid; no sea que hienda, como fuego, á la casa de José, y la consuma, sin haber en Beth-el quien lo apague.
Los que convierten en ajenjo el juicio, y dejan en tierra la justicia,
Miren al que hace el Arcturo y el Orión, y las tinieblas vuelve en mañana, y hace oscurecer el día en noche; el que llama á las aguas de la mar, y las derrama sobre la haz de la tierra: Jehová es su nombre:
Que da esfuerzo al despojador sobre el fuerte, y que el despojador venga contra la fortaleza.
Ellos aborrecieron en la puerta al reprensor, y al que hablaba lo recto abominaron.
Por tanto, pues que vejáis al pobre y recibís de él carga de trigo; edificasteis casas de sillares, mas no las habitaréis; plantasteis hermosas viñas, mas no beberéis el vino de ellas.
Porque sabido he vuestras muchas rebeliones, y vuestros grandes pecados: que afligen al justo, y reciben cohecho, y á los pobres en la puerta hacen perder su causa.
Por tanto, el prudente en tal tiempo calla, porque el tiempo es malo.
Buscad lo bueno, y no lo malo, para que viváis; porque así Jehová Dios de los ejércitos será con vosotros, como decís.
Aborreced el mal, y amad el bien, y poned juicio en la puerta: quizá Jehová, Dios de los ejércitos, tendrá piedad del remanente de José.
Por tanto, así ha dicho Jehová Dios de los ejércitos, el Señor: En todas las plazas habrá llanto, y en todas las calles dirán, ¡Ay! ¡ay! y al labrador llamarán á lloro, y á endecha á los que endechar supieren.
Y en todas las viñas habrá llanto; porque pasaré por medio de ti, dice Jehová.
¡Ay de los que desean el día de Jehová! ¿para qué queréis este día de Jehová? Será de tinieblas, y no luz:
Como el que huye de delante del león, y se topa con el oso; ó si entrare en casa y arrimare su mano á la pared, y le muerda la culebra.
¿No será el día de Jehová tinieblas, y no luz; oscuridad, que no tiene resplandor?
Aborrecí, abominé vuestras solemnidades, y no me darán buen olor vuestras asambleas.
Y si me ofreciereis holocaustos y vuestros presentes, no los recibiré; ni miraré á los pacíficos de vuestros engordados.
Quita de mí la multitud de tus cantares, que no escucharé las salmodias de tus instrumentos.
Antes corra el juicio como las aguas, y la justicia como impetuoso arroyo.
¿Habéisme ofrecido sacrificios y presentes en el desierto en cuarenta años, casa de Israel?
Mas llevabais el tabernáculo de vuestro Moloch y Chiún, ídolos vuestros, la estrella de vuestros dioses que os hicisteis.
Hareos pues trasportar más allá de Damasco, ha dicho Jehová, cuyo nombre es Dios de los ejércitos.
¡AY de los reposados en Sión, y de los confiados en el monte de Samaria, nombrados principales entre las mismas naciones, las cuales vendrán sobre ellos, oh casa de Israel!
Pasad á Calne, y mirad; y de allí id á la gran Hamath; descended luego á Gath de los Palestinos: ved si son aquellos reinos mejores que estos reinos, si su término es mayor que vuestro término.
Vosotros que dilatáis el día malo, y acercáis la silla de iniquidad;
Duermen en camas de marfil, y se extienden sobre sus lechos; y comen los corderos del rebaño, y los becerros de en medio del engordadero;
Gorjean al son de la flauta, é inventan instrumentos músicos, como David;
Beben vino en tazones, y se ungen con los ungüentos más preciosos; y no se afligen por el quebrantamiento de José.
Por tanto, ahora pasarán en el principio de los que á cautividad pasaren, y se acercará el clamor de los extendidos.
El Señor Jehová juró por su alma, Jehová Dios de los ejércitos ha dicho: Tengo en abominación la grandeza de Jacob, y aborrezco sus palacios: y la ciudad y su plenitud entregaré al enemigo.
Y acontecerá que si diez hombres quedaren en una casa, morirán.
Y su tío tomará á cada uno, y quemarále para sacar los huesos de casa; y dirá al que estará en los rincones de la casa: ¿Hay aún alguno contigo? Y dirá: No. Y dirá aquél: Calla, que no podemos hacer mención del nombre de Jehová.
Porque he aquí, Jehová mandará, y herirá con hendiduras la casa mayor, y la casa menor con aberturas.
¿Correrán los caballos por las peñas? ¿ararán en ellas con vacas? ¿por qué habéis vosotros tornado el juicio en veneno, y el fruto de justicia en ajenjo?
Vosotros que os alegráis en nada, que decís: ¿No nos hemos adquirido potencia con nuestra fortaleza?
Pues he aquí, levantaré yo sobre vosotros, oh casa de Israel, dice Jehová Dios de los ejércitos, gente que os oprimirá desde la entrada de Hamath hasta el arroyo del desierto.
ASÍ me ha mostrado el Señor Jehová: y he aquí, él criaba langostas al principio que comenzaba á crecer el heno tardío; y he aquí, era el heno tardío después de las siegas del rey.
Y acaeció que como acabó de comer la hierba de la tierra, yo dije: Señor Jehová, perdona ahora; ¿quién levantará á Jacob? porque es pequeño.
Arrepintióse Jehová de esto: No será, dijo Jehová.
El Señor Jehová me mostró así: y he aquí, llamaba para juzgar por fuego el Señor Jehová; y consumió un gran abismo, y consumió una parte de la tierra.
Y dije: Señor Jehová, cesa ahora; ¿quién levantará á Jacob? porque es pequeño.
Arrepintióse Jehová de esto: No será esto tampoco, dijo el Señor Jehová.
Enseñóme así: he aquí, el Señor estaba sobre un muro hecho á plomo, y en su mano una plomada de albañil.
Jehová entonces me dijo: ¿Qué ves, Amós? Y dije: Una plomada de albañil. Y el Señor dijo: He aquí, yo pongo plomada de albañil en medio de mi pueblo Israel: no le pasaré más:
Y los altares de Isaac serán destruídos, y los santuarios de Israel serán asolados; y levantaréme con espada sobre la casa de Jeroboam.
Entonces Amasías sacerdote de Beth-el envió á decir á Jeroboam, rey de Israel: Amós se ha conjurado contra ti en medio de la casa de Israel: la tierra no puede sufrir todas sus palabras.
Porque así ha dicho Amós: Jeroboam morirá á cuchillo, é Israel pasará de su tierra en cautiverio.
Y Amasías dijo á Amós: Vidente, vete, y huye á tierra de Judá, y come allá tu pan, y profetiza allí:
Y no profetices más en Beth-el, porque es santuario del rey, y cabecera del reino.
Entonces respondió Amós, y dijo á Amasías: No soy profeta, ni soy hijo de profeta, sino que soy boyero, y cogedor de cabrahigos:
Y Jehová me tomó de tras el ganado, y díjome Jehová: Ve, y profetiza á mi pueblo Israel.
Ahora pues, oye palabra de Jehová. Tú dices: No profetices contra Israel, ni hables contra la casa de Isaac:
Por tanto, así ha dicho Jehová: Tu mujer fornicará en la ciudad, y tus hijos y tus hijas caerán á cuchillo, y tu tierra será partida por suertes; y tú morirás en tierra inmunda, é Israel será traspasado de su tierra.
ASÍ me ha mostrado Jehová: y he aquí un canastillo de fruta de verano.
Y dijo: ¿Qué ves, Amós? Y dije: Un canastillo de fruta de verano. Y díjome Jehová: Venido ha el fin sobre mi pueblo Israel; no le pasaré más.
Y los cantores del templo aullarán en aquel día, dice el Señor Jehová; muchos serán los cuerpos muertos; en todo lugar echados serán en silencio.
Oid esto, los que tragáis á los menesterosos, y arruináis los pobres de la tierra,
Diciendo: ¿Cuándo pasará el mes, y venderemos el trigo; y la semana, y abriremos los alfolíes del pan, y achicaremos la medida, y engrandeceremos el precio, y falsearemos el peso engañoso;
Para comprar los pobres por dinero, y los necesitados por un par de zapatos, y venderemos las aechaduras del trigo?
Jehová juró por la gloria de Jacob: No me olvidaré para siempre de todas sus obras.
¿No se ha de estremecer la tierra sobre esto? ¿y todo habitador de ella no llorará? y subirá toda como un río, y será arrojada, y hundiráse como el río de Egipto.
Y acaecerá en aquel día, dice el Señor Jehová, que haré se ponga el sol al mediodía, y la tierra cubriré de tinieblas en el día claro.
Y tornaré vuestras fiestas en lloro, y todos vuestros cantares en endechas; y haré poner saco sobre todos lomos, y peladura sobre toda cabeza; y tornaréla como en llanto de unigénito, y su postrimería como día amargo.
He aquí vienen días, dice el Señor Jehová, en los cuales enviaré hambre á la tierra, no hambre de pan, ni sed de agua, sino de oir palabra de Jehová.
E irán errantes de mar á mar: desde el norte hasta el oriente discurrirán buscando palabra de Jehová, y no la hallarán.
En aquel tiempo las doncellas hermosas y los mancebos desmayarán de sed.
Los que juran por el pecado de Samaria, y dicen, Vive tu Dios de Dan: y, Vive el camino de Beer-seba: caerán, y nunca más se levantarán.
VI al Señor que estaba sobre el altar, y dijo: Hiere el umbral, y estremézcanse las puertas: y córtales en piezas la cabeza de todos; y el postrero de ellos mataré á cuchillo: no habrá de ellos quien se fugue, ni quien escape.
Aunque cavasen hasta el infierno, de allá los tomará mi mano; y si subieren hasta el cielo, de allá los haré descender.
Y si se escondieren en la cumbre del Carmelo, allí los buscaré y los tomaré; y aunque se escondieren de delante de mis ojos en el profundo de la mar, allí mandaré á la culebra, y morderálos.
Y si fueren en cautiverio, delante de sus enemigos, allí mandaré al cuchillo, y los matará; y pondré sobre ellos mis ojos para mal, y no para bien.
El Señor Jehová de los ejércitos es el que toca la tierra, y se derretirá, y llorarán todos los que en ella moran: y subirá toda como un río, y hundiráse luego como el río de Egipto.
El edificó en el cielo sus gradas, y ha establecido su expansión sobre la tierra: él llama las aguas de la mar, y sobre la haz de la tierra las derrama: Jehová es su nombre.
Hijos de Israel, ¿no me sois vosotros, dice Jehová, como hijos de Etiopes? ¿no hice yo subir á Israel de la tierra de Egipto, y á los Palestinos de Caphtor, y de Chîr á los Arameos?
He aquí los ojos del Señor Jehová están contra el reino pecador, y yo lo asolaré de la haz de la tierra: mas no destruiré del todo la casa de Jacob, dice Jehová.
Porque he aquí yo mandaré, y haré que la casa de Israel sea zarandeada entre todas las gentes, como se zarandea el grano en un harnero, y no cae un granito en la tierra.
A cuchillo morirán todos los pecadores de mi pueblo, que dicen: No se acercará, ni nos alcanzará el mal.
En aquel día yo levantaré el tabernáculo de David, caído, y cerraré sus portillos, y levantaré sus ruinas, y edificarélo como en el tiempo pasado;
Para que aquellos sobre los cuales es llamado mi nombre, posean el resto de Idumea, y á todas las naciones, dice Jehová que hace esto.
He aquí vienen días, dice Jehová, en que el que ara alcanzará al segador, y el pisador de las uvas al que lleva la simiente; y los montes destilarán mosto, y todos los collados se derretirán.
Y tornaré el cautiverio de mi pueblo Israel, y edificarán ellos las ciudades asoladas, y las habitarán; y plantarán viñas, y beberán el vino de ellas; y harán huertos, y comerán el fruto de ellos.
Pues los plantaré sobre su tierra, y nunca más serán arrancados de su tierra que yo les dí, ha dicho Jehová Dios tuyo.
EN el principio era el Verbo, y el Verbo era con Dios, y el Verbo era Dios.
Este era en el principio con Dios.
Todas las cosas por él fueron hechas; y sin él nada de lo que es hecho, fué hecho.
En él estaba la vida, y la vida era la luz de los hombres.
Y la luz en las tinieblas resplandece; mas las tinieblas no la comprendieron.
Fué un hombre enviado de Dios, el cual se llamaba Juan.
Este vino por testimonio, para que diese testimonio de la luz, para que todos creyesen por él.
No era él la luz, sino para que diese testimonio de la luz.
Aquél era la luz verdadera, que alumbra á todo hombre que viene á este mundo.
En el mundo estaba, y el mundo fué hecho por él; y el mundo no le conoció.
A lo suyo vino, y los suyos no le recibieron.
Mas á todos los que le recibieron, dióles potestad de ser hechos hijos de Dios, á los que creen en su nombre:
Los cuales no son engendrados de sangre, ni de voluntad de carne, ni de voluntad de varón, mas de Dios.
Y aquel Verbo fué hecho carne, y habitó entre nosotros (y vimos su gloria, gloria como del unigénito del Padre), lleno de gracia y de verdad.
Juan dió testimonio de él, y clamó diciendo: Este es del que yo decía: El que viene tras mí, es antes de mí: porque es primero que yo.
Porque de su plenitud tomamos todos, y gracia por gracia.
Porque la ley por Moisés fué dada: mas la gracia y la verdad por Jesucristo fué hecha.
A Dios nadie le vió jamás: el unigénito Hijo, que está en el seno del Padre, él le declaró.
Y éste es el testimonio de Juan, cuando los Judíos enviaron de Jerusalem sacerdotes y Levitas, que le preguntasen: ¿Tú, quién eres?
Y confesó, y no negó; mas declaró: No soy yo el Cristo.
Y le preguntaron: ¿Qué pues? ¿Eres tú Elías? Dijo: No soy. ¿Eres tú el profeta? Y respondió: No.
Dijéronle: ¿Pues quién eres? para que demos respuesta á los que nos enviaron. ¿Qué dices de ti mismo?
Dijo: Yo soy la voz del que clama en el desierto: Enderezad el camino del Señor, como dijo Isaías profeta.
Y los que habían sido enviados eran de los Fariseos.
Y preguntáronle, y dijéronle: ¿Por qué pues bautizas, si tú no eres el Cristo, ni Elías, ni el profeta?
Y Juan les respondió, diciendo: Yo bautizo con agua; mas en medio de vosotros ha estado á quien vosotros no conocéis.
Este es el que ha de venir tras mí, el cual es antes de mí: del cual yo no soy digno de desatar la correa del zapato.
Estas cosas acontecieron en Betábara, de la otra parte del Jordán, donde Juan bautizaba.
El siguiente día ve Juan á Jesús que venía á él, y dice: He aquí el Cordero de Dios, que quita el pecado del mundo.
Este es del que dije: Tras mí viene un varón, el cual es antes de mí: porque era primero que yo.
Y yo no le conocía; más para que fuese manifestado á Israel, por eso vine yo bautizando con agua.
Y Juan dió testimonio, diciendo: Vi al Espíritu que descendía del cielo como paloma, y reposó sobre él.
Y yo no le conocía; mas el que me envió á bautizar con agua, aquél me dijo: Sobre quien vieres descender el Espíritu, y que reposa sobre él, éste es el que bautiza con Espíritu Santo.
Y yo le vi, y he dado testimonio que éste es el Hijo de Dios.
El siguiente día otra vez estaba Juan, y dos de sus discípulos.
Y mirando á Jesús que andaba por allí, dijo: He aquí el Cordero de Dios.
Y oyéronle los dos discípulos hablar, y siguieron á Jesús.
Y volviéndose Jesús, y viéndolos seguirle, díceles: ¿Qué buscáis? Y ellos le dijeron: Rabbí (que declarado quiere decir Maestro) ¿dónde moras?
Díceles: Venid y ved. Vinieron, y vieron donde moraba, y quedáronse con él aquel día: porque era como la hora de las diez.
Era Andrés, hermano de Simón Pedro, uno de los dos que habían oído de Juan, y le habían seguido.
Este halló primero á su hermano Simón, y díjole: Hemos hallado al Mesías (que declarado es, el Cristo).
Y le trajo á Jesús. Y mirándole Jesús, dijo: Tú eres Simón, hijo de Jonás: tú serás llamado Cephas (que quiere decir, Piedra).
El siguiente día quiso Jesús ir á Galilea, y halla á Felipe, al cual dijo: Sígueme.
Y era Felipe de Bethsaida, la ciudad de Andrés y de Pedro.
Felipe halló á Natanael, y dícele: Hemos hallado á aquel de quien escribió Moisés en la ley, y los profetas: á Jesús, el hijo de José, de Nazaret.
Y díjole Natanael: ¿De Nazaret puede haber algo de bueno? Dícele Felipe: Ven y ve.
Jesús vió venir á sí á Natanael, y dijo de él: He aquí un verdadero Israelita, en el cual no hay engaño.
Dícele Natanael: ¿De dónde me conoces? Respondió Jesús, y díjole: Antes que Felipe te llamara, cuando estabas debajo de la higuera te vi.
Respondió Natanael, y díjole: Rabbí, tú eres el Hijo de Dios; tú eres el Rey de Israel.
Respondió Jesús y díjole: ¿Porque te dije, te vi debajo de la higuera, crees? cosas mayores que éstas verás.
Y dícele: De cierto, de cierto os digo: De aquí adelante veréis el cielo abierto, y los ángeles de Dios que suben y descienden sobre el Hijo del hombre.
Y AL tercer día hiciéronse unas bodas en Caná de Galilea; y estaba allí la madre de Jesús.
Y fué también llamado Jesús y sus discípulos á las bodas.
Y faltando el vino, la madre de Jesús le dijo: Vino no tienen.
Y dícele Jesús: ¿Qué tengo yo contigo, mujer? aun no ha venido mi hora.
Su madre dice á los que servían: Haced todo lo que os dijere.
Y estaban allí seis tinajuelas de piedra para agua, conforme á la purificación de los Judíos, que cabían en cada una dos ó tres cántaros.
Díceles Jesús: Henchid estas tinajuelas de agua. E hinchiéronlas hasta arriba.
Y díceles: Sacad ahora, y presentad al maestresala. Y presentáronle.
Y como el maestresala gustó el agua hecha vino, que no sabía de dónde era (mas lo sabían los sirvientes que habían sacado el agua), el maestresala llama al esposo,
Y dícele: Todo hombre pone primero el buen vino, y cuando están satisfechos, entonces lo que es peor; mas tú has guardado el buen vino hasta ahora.
Este principio de señales hizo Jesús en Caná de Galilea, y manifestó su gloria; y sus discípulos creyeron en él.
Después de esto descendió á Capernaum, él, y su madre, y hermanos, y discípulos; y estuvieron allí no muchos días.
Y estaba cerca la Pascua de los Judíos; y subió Jesús á Jerusalem.
Y halló en el templo á los que vendían bueyes, y ovejas, y palomas, y á los cambiadores sentados.
Y hecho un azote de cuerdas, echólos á todos del templo, y las ovejas, y los bueyes; y derramó los dineros de los cambiadores, y trastornó las mesas;
Y á los que vendían las palomas, dijo: Quitad de aquí esto, y no hagáis la casa de mi Padre casa de mercado.
Entonces se acordaron sus discípulos que está escrito: El celo de tu casa me comió.
Y los Judíos respondieron, y dijéronle: ¿Qué señal nos muestras de que haces esto?
Respondió Jesús, y díjoles: Destruid este templo, y en tres días lo levantaré.
Dijeron luego los Judíos: En cuarenta y seis años fué este templo edificado, ¿y tú en tres días lo levantarás?
Mas él hablaba del templo de su cuerpo.
Por tanto, cuando resucitó de los muertos, sus discípulos se acordaron que había dicho esto; y creyeron á la Escritura, y á la palabra que Jesús había dicho.
Y estando en Jerusalem en la Pascua, en el día de la fiesta, muchos creyeron en su nombre, viendo las señales que hacía.
Mas el mismo Jesús no se confiaba á sí mismo de ellos, porque él conocía á todos,
Y no tenía necesidad que alguien le diese testimonio del hombre; porque él sabía lo que había en el hombre.
Y HABÍA un hombre de los Fariseos que se llamaba Nicodemo, príncipe de los Judíos.
Este vino á Jesús de noche, y díjole: Rabbí, sabemos que has venido de Dios por maestro; porque nadie puede hacer estas señales que tú haces, si no fuere Dios con él.
Respondió Jesús, y díjole: De cierto, de cierto te digo, que el que no naciere otra vez, no puede ver el reino de Dios.
Dícele Nicodemo: ¿Cómo puede el hombre nacer siendo viejo? ¿puede entrar otra vez en el vientre de su madre, y nacer?
Respondió Jesús: De cierto, de cierto te digo, que el que no naciere de agua y del Espíritu, no puede entrar en el reino de Dios.
Lo que es nacido de la carne, carne es; y lo que es nacido del Espíritu, espíritu es.
No te maravilles de que te dije: Os es necesario nacer otra vez.
El viento de donde quiere sopla, y oyes su sonido; mas ni sabes de dónde viene, ni á dónde vaya: así es todo aquel que es nacido del Espíritu.
Respondió Nicodemo, y díjole: ¿Cómo puede esto hacerse?
Respondió Jesús, y díjole: ¿Tú eres el maestro de Israel, y no sabes esto?
De cierto, de cierto te digo, que lo que sabemos hablamos, y lo que hemos visto, testificamos; y no recibís nuestro testimonio.
Si os he dicho cosas terrenas, y no creéis, ¿cómo creeréis si os dijere las celestiales?
Y nadie subió al cielo, sino el que descendió del cielo, el Hijo del hombre, que está en el cielo.
Y como Moisés levantó la serpiente en el desierto, así es necesario que el Hijo del hombre sea levantado;
Para que todo aquel que en él creyere, no se pierda, sino que tenga vida eterna.
Porque de tal manera amó Dios al mundo, que ha dado á su Hijo unigénito, para que todo aquel que en él cree, no se pierda, mas tenga vida eterna.
Porque no envió Dios á su Hijo al mundo para que condene al mundo, mas para que el mundo sea salvo por él.
El que en él cree, no es condenado; mas el que no cree, ya es condenado, porque no creyó en el nombre del unigénito Hijo de Dios.
Y esta es la condenación: porque la luz vino al mundo, y los hombres amaron más las tinieblas que la luz; porque sus obras eran malas.
Porque todo aquel que hace lo malo, aborrece la luz y no viene á la luz, porque sus obras no sean redargüidas.
Mas el que obra verdad, viene á la luz, para que sus obras sean manifestadas que son hechas en Dios.
Pasado esto, vino Jesús con sus discípulos á la tierra de Judea; y estaba allí con ellos, y bautizaba.
Y bautizaba también Juan en Enón junto á Salim, porque había allí muchas aguas; y venían, y eran bautizados.
Porque Juan no había sido aún puesto en la carcel.
Y hubo cuestión entre los discípulos de Juan y los Judíos acerca de la purificación.
Y vinieron á Juan, y dijéronle: Rabbí, el que estaba contigo de la otra parte del Jordán, del cual tú diste testimonio, he aquí bautiza, y todos vienen á él.
Respondió Juan, y dijo: No puede el hombre recibir algo, si no le fuere dado del cielo.
Vosotros mismos me sois testigos que dije: Yo no soy el Cristo, sino que soy enviado delante de él.
El que tiene la esposa, es el esposo; mas el amigo del esposo, que está en pie y le oye, se goza grandemente de la voz del esposo; así pues, este mi gozo es cumplido.
A él conviene crecer, mas á mí menguar.
El que de arriba viene, sobre todos es: el que es de la tierra, terreno es, y cosas terrenas habla: el que viene del cielo, sobre todos es.
Y lo que vió y oyó, esto testifica: y nadie recibe su testimonio.
El que recibe su testimonio, éste signó que Dios es verdadero.
Porque el que Dios envió, las palabras de Dios habla: porque no da Dios el Espíritu por medida.
El Padre ama al Hijo, y todas las cosas dió en su mano.
El que cree en el Hijo, tiene vida eterna; mas el que es incrédulo al Hijo, no verá la vida, sino que la ira de Dios está sobre él.
DE manera que como Jesús entendió que los Fariseos habían oído que Jesús hacía y bautizaba más discípulos que Juan,
(Aunque Jesús no bautizaba, sino sus discípulos),
Dejó á Judea, y fuése otra vez á Galilea.
Y era menester que pasase por Samaria.
Vino, pues, á una ciudad de Samaria que se llamaba Sichâr, junto á la heredad que Jacob dió á José su hijo.
Y estaba allí la fuente de Jacob. Pues Jesús, cansado del camino, así se sentó á la fuente. Era como la hora de sexta.
Vino una mujer de Samaria á sacar agua: y Jesús le dice: Dame de beber.
(Porque sus discípulos habían ido á la ciudad á comprar de comer.)
Y la mujer Samaritana le dice: ¿Cómo tú, siendo Judío, me pides á mí de beber, que soy mujer Samaritana? porque los Judíos no se tratan con los Samaritanos.
Respondió Jesús y díjole: Si conocieses el don de Dios, y quién es el que te dice: Dame de beber: tú pedirías de él, y él te daría agua viva.
La mujer le dice: Señor, no tienes con qué sacarla, y el pozo es hondo: ¿de dónde, pues, tienes el agua viva?
¿Eres tú mayor que nuestro padre Jacob, que nos dió este pozo, del cual él bebió, y sus hijos, y sus ganados?
Respondió Jesús y díjole: Cualquiera que bebiere de esta agua, volverá á tener sed;
Mas el que bebiere del agua que yo le daré, para siempre no tendrá sed: mas el agua que yo le daré, será en él una fuente de agua que salte para vida eterna.
La mujer le dice: Señor, dame esta agua, para que no tenga sed, ni venga acá á sacarla.
Jesús le dice: Ve, llama á tu marido, y ven acá.
Respondió la mujer, y dijo: No tengo marido. Dícele Jesús: Bien has dicho, No tengo marido;
Porque cinco maridos has tenido: y el que ahora tienes no es tu marido; esto has dicho con verdad.
Dícele la mujer: Señor, paréceme que tú eres profeta.
Nuestros padres adoraron en este monte, y vosotros decís que en Jerusalem es el lugar donde es necesario adorar.
Dícele Jesús: Mujer, créeme, que la hora viene, cuando ni en este monte, ni en Jerusalem adoraréis al Padre.
Vosotros adoráis lo que no sabéis; nosotros adoramos lo que sabemos: porque la salud viene de los Judíos.
Mas la hora viene, y ahora es, cuando los verdaderos adoradores adorarán al Padre en espíritu y en verdad; porque también el Padre tales adoradores busca que le adoren.
Dios es Espíritu; y los que le adoran, en espíritu y en verdad es necesario que adoren.
Dícele la mujer: Sé que el Mesías ha de venir, el cual se dice el Cristo: cuando él viniere nos declarará todas las cosas.
Dícele Jesús: Yo soy, que hablo contigo.
Y en esto vinieron sus discípulos, y maravilláronse de que hablaba con mujer; mas ninguno dijo: ¿Qué preguntas? ó, ¿Qué hablas con ella?
Entonces la mujer dejó su cántaro, y fué á la ciudad, y dijo á aquellos hombres:
Venid, ved un hombre que me ha dicho todo lo que he hecho: ¿si quizás es éste el Cristo?
Entonces salieron de la ciudad, y vinieron á él.
Entre tanto los discípulos le rogaban, diciendo: Rabbí, come.
Y él les dijo: Yo tengo una comida que comer, que vosotros no sabéis.
Entonces los discípulos decían el uno al otro: ¿Si le habrá traído alguien de comer?
Díceles Jesús: Mi comida es que haga la voluntad del que me envió, y que acabe su obra.
¿No decís vosotros: Aun hay cuatro meses hasta que llegue la siega? He aquí os digo: Alzad vuestros ojos, y mirad las regiones, porque ya están blancas para la siega.
Y el que siega, recibe salario, y allega fruto para vida eterna; para que el que siembra también goce, y el que siega.
Porque en esto es el dicho verdadero: Que uno es el que siembra, y otro es el que siega.
Yo os he enviado á segar lo que vosotros no labrasteis: otros labraron, y vosotros habéis entrado en sus labores.
Y muchos de los Samaritanos de aquella ciudad creyeron en él por la palabra de la mujer, que daba testimonio, diciendo: Que me dijo todo lo que he hecho.
Viniendo pues los Samaritanos á él, rogáronle que se quedase allí: y se quedó allí dos días.
Y creyeron muchos más por la palabra de él.
Y decían á la mujer: Ya no creemos por tu dicho; porque nosotros mismos hemos oído, y sabemos que verdaderamente éste es el Salvador del mundo, el Cristo.
Y dos días después, salió de allí, y fuése á Galilea.
Porque el mismo Jesús dió testimonio de que el profeta en su tierra no tiene honra.
Y como vino á Galilea, los Galileos le recibieron, vistas todas las cosas que había hecho en Jerusalem en el día de la fiesta: porque también ellos habían ido á la fiesta.
Vino pues Jesús otra vez á Caná de Galilea, donde había hecho el vino del agua. Y había en Capernaum uno del rey, cuyo hijo estaba enfermo.
Este, como oyó que Jesús venía de Judea á Galilea, fué á él, y rogábale que descendiese, y sanase á su hijo, porque se comenzaba á morir.
Entonces Jesús le dijo: Si no viereis señales y milagros no creeréis.
El del rey le dijo: Señor, desciende antes que mi hijo muera.
Dícele Jesús: Ve, tu hijo vive. Y el hombre creyó á la palabra que Jesús le dijo, y se fué.
Y cuando ya él descendía, los siervos le salieron á recibir, y le dieron nuevas, diciendo: Tu hijo vive.
Entonces él les preguntó á qué hora comenzó á estar mejor. Y dijéronle: Ayer á las siete le dejó la fiebre.
El padre entonces entendió, que aquella hora era cuando Jesús le dijo: Tu hijo vive; y creyó él y toda su casa.
Esta segunda señal volvió Jesús á hacer, cuando vino de Judea á Galilea.
DESPUÉS de estas cosas, era un día de fiesta de los Judíos, y subió Jesús á Jerusalem.
Y hay en Jerusalem á la puerta del ganado un estanque, que en hebraico es llamado Bethesda, el cual tiene cinco portales.
En éstos yacía multitud de enfermos, ciegos, cojos, secos, que estaban esperando el movimiento del agua.
Porque un ángel descendía á cierto tiempo al estanque, y revolvía el agua; y el que primero descendía en el estanque después del movimiento del agua, era sano de cualquier enfermedad que tuviese.
Y estaba allí un hombre que había treinta y ocho años que estaba enfermo.
Como Jesús vió á éste echado, y entendió que ya había mucho tiempo, dícele: ¿Quieres ser sano?
Señor, le respondió el enfermo, no tengo hombre que me meta en el estanque cuando el agua fuere revuelta; porque entre tanto que yo vengo, otro antes de mí ha descendido.
Dícele Jesús: Levántate, toma tu lecho, y anda.
Y luego aquel hombre fué sano, y tomó su lecho, é íbase. Y era sábado aquel día.
Entonces los Judíos decían á aquel que había sido sanado: Sábado es: no te es lícito llevar tu lecho.
Respondióles: El que me sanó, él mismo me dijo: Toma tu lecho y anda.
Preguntáronle entonces: ¿Quién es el que te dijo: Toma tu lecho y anda?
Y el que había sido sanado, no sabía quién fuese; porque Jesús se había apartado de la gente que estaba en aquel lugar.
Después le halló Jesús en el templo, y díjole: He aquí, has sido sanado; no peques más, porque no te venga alguna cosa peor.
El se fué, y dió aviso á los Judíos, que Jesús era el que le había sanado.
Y por esta causa los Judíos perseguían á Jesús, y procuraban matarle, porque hacía estas cosas en sábado.
Y Jesús les respondió: Mi Padre hasta ahora obra, y yo obro.
Entonces, por tanto, más procuraban los Judíos matarle, porque no sólo quebrantaba el sábado, sino que también á su Padre llamaba Dios, haciéndose igual á Dios.
Respondió entonces Jesús, y díjoles: De cierto, de cierto os digo: No puede el Hijo hacer nada de sí mismo, sino lo que viere hacer al Padre: porque todo lo que él hace, esto también hace el Hijo juntamente.
Porque el Padre ama al Hijo, y le muestra todas las cosas que él hace; y mayores obras que éstas le mostrará, de suerte que vosotros os maravilléis.
Porque como el Padre levanta los muertos, y les da vida, así también el Hijo á los que quiere da vida.
Porque el Padre á nadie juzga, mas todo el juicio dió al Hijo;
Para que todos honren al Hijo como honran al Padre. El que no honra al Hijo, no honra al Padre que le envió.
De cierto, de cierto os digo: El que oye mi palabra, y cree al que me ha enviado, tiene vida eterna; y no vendrá á condenación, mas pasó de muerte á vida.
De cierto, de cierto os digo: Vendrá hora, y ahora es, cuando los muertos oirán la voz del Hijo de Dios: y los que oyeren vivirán.
Porque como el Padre tiene vida en sí mismo, así dió también al Hijo que tuviese vida en sí mismo:
Y también le dió poder de hacer juicio, en cuanto es el Hijo del hombre.
No os maravilléis de esto; porque vendrá hora, cuando todos los que están en los sepulcros oirán su voz;
Y los que hicieron bien, saldrán á resurrección de vida; mas los que hicieron mal, á resurrección de condenación.
No puedo yo de mí mismo hacer nada: como oigo, juzgo: y mi juicio es justo; porque no busco mi voluntad, mas la voluntad del que me envió, del Padre.
Si yo doy testimonio de mí mismo, mi testimonio no es verdadero.
Otro es el que da testimonio de mí; y sé que el testimonio que da de mí, es verdadero.
Vosotros enviasteis á Juan, y él dió testimonio á la verdad.
Empero yo no tomo el testimonio de hombre; mas digo esto, para que vosotros seáis salvos.
El era antorcha que ardía y alumbraba: y vosotros quisisteis recrearos por un poco á su luz.
Mas yo tengo mayor testimonio que el de Juan: porque las obras que el Padre me dió que cumpliese, las mismas obras que yo hago, dan testimonio de mí, que el Padre me haya enviado.
Y el que me envió, el Padre, él ha dado testimonio de mí. Ni nunca habéis oído su voz, ni habéis visto su parecer.
Ni tenéis su palabra permanente en vosotros; porque al que él envió, á éste vosotros no creéis.
Escudriñad las Escrituras, porque á vosotros os parece que en ellas tenéis la vida eterna; y ellas son las que dan testimonio de mí.
Y no queréis venir á mí, para que tengáis vida.
Gloria de los hombres no recibo.
Mas yo os conozco, que no tenéis amor de Dios en vosotros.
Yo he venido en nombre de mi Padre, y no me recibís: si otro viniere en su propio nombre, á aquél recibiréis.
¿Cómo podéis vosotros creer, pues tomáis la gloria los unos de los otros, y no buscáis la gloria que de sólo Dios viene?
No penséis que yo os tengo de acusar delante del Padre; hay quien os acusa, Moisés, en quien vosotros esperáis.
Porque si vosotros creyeseis á Moisés, creeríais á mí; porque de mí escribió él.
Y si á sus escritos no creéis, ¿cómo creeréis á mis palabras?
PASADAS estas cosas, fuése Jesús de la otra parte de la mar de Galilea, que es de Tiberias.
Y seguíale grande multitud, porque veían sus señales que hacía en los enfermos.
Y subió Jesús á un monte, y se sentó allí con sus discípulos.
Y estaba cerca la Pascua, la fiesta de los Judíos.
Y como alzó Jesús los ojos, y vió que había venido á él grande multitud, dice á Felipe: ¿De dónde compraremos pan para que coman éstos?
Mas esto decía para probarle; porque él sabía lo que había de hacer.
Respondióle Felipe: Doscientos denarios de pan no les bastarán, para que cada uno de ellos tome un poco.
Dícele uno de sus discípulos, Andrés, hermano de Simón Pedro:
Un muchacho está aquí que tiene cinco panes de cebada y dos pececillos; ¿mas qué es esto entre tantos?
Entonces Jesús dijo: Haced recostar la gente. Y había mucha hierba en aquel lugar: y recostáronse como número de cinco mil varones.
Y tomó Jesús aquellos panes, y habiendo dado gracias, repartió á los discípulos, y los discípulos á los que estaban recostados: asimismo de los peces, cuanto querían.
Y como fueron saciados, dijo á sus discípulos: Recoged los pedazos que han quedado, porque no se pierda nada.
Cogieron pues, é hinchieron doce cestas de pedazos de los cinco panes de cebada, que sobraron á los que habían comido.
Aquellos hombres entonces, como vieron la señal que Jesús había hecho, decían: Este verdaderamente es el profeta que había de venir al mundo.
Y entendiendo Jesús que habían de venir para arrebatarle, y hacerle rey, volvió á retirarse al monte, él solo.
Y como se hizo tarde, descendieron sus discípulos á la mar;
Y entrando en un barco, venían de la otra parte de la mar hacia Capernaum. Y era ya oscuro, y Jesús no había venido á ellos.
Y levantábase la mar con un gran viento que soplaba.
Y como hubieron navegado como veinticinco ó treinta estadios, ven á Jesús que andaba sobre la mar, y se acercaba al barco: y tuvieron miedo.
Mas él les dijo: Yo soy; no tengáis miedo.
Ellos entonces gustaron recibirle en el barco: y luego el barco llegó á la tierra donde iban.
El día siguiente, la gente que estaba de la otra parte de la mar, como vió que no había allí otra navecilla sino una, y que Jesús no había entrado con sus discípulos en ella, sino que sus discípulos se habían ido solos;
Y que otras navecillas habían arribado de Tiberias junto al lugar donde habían comido el pan después de haber el Señor dado gracias;
Como vió pues la gente que Jesús no estaba allí, ni sus discípulos, entraron ellos en las navecillas, y vinieron á Capernaum buscando á Jesús.
Y hallándole de la otra parte de la mar, dijéronle: Rabbí, ¿cuándo llegaste acá?
Respondióles Jesús, y dijo: De cierto, de cierto os digo, que me buscáis, no porque habéis visto las señales, sino porque comisteis el pan y os hartasteis.
Trabajad no por la comida que perece, mas por la comida que á vida eterna permanece, la cual el Hijo del hombre os dará: porque á éste señaló el Padre, que es Dios.
Y dijéronle: ¿Qué haremos para que obremos las obras de Dios?
Respondió Jesús, y díjoles: Esta es la obra de Dios, que creáis en el que él ha enviado.
Dijéronle entonces: ¿Qué señal pues haces tú, para que veamos, y te creamos? ¿Qué obras?
Nuestros padres comieron el maná en el desierto, como está escrito: Pan del cielo les dió á comer.
Y Jesús les dijo: De cierto, de cierto os digo: No os dió Moisés pan del cielo; mas mi Padre os da el verdadero pan del cielo.
Porque el pan de Dios es aquel que descendió del cielo y da vida al mundo.
Y dijéronle: Señor, danos siempre este pan.
Y Jesús les dijo: Yo soy el pan de vida: el que á mí viene, nunca tendrá hambre; y el que en mí cree, no tendrá sed jamás.
Mas os he dicho, que aunque me habéis visto, no creéis.
Todo lo que el Padre me da, vendrá á mí; y al que á mí viene, no le hecho fuera.
Porque he descendido del cielo, no para hacer mi voluntad, mas la voluntad del que me envió.
Y esta es la voluntad del que me envió, del Padre: Que todo lo que me diere, no pierda de ello, sino que lo resucite en el día postrero.
Y esta es la voluntad del que me ha enviado: Que todo aquel que ve al Hijo, y cree en él, tenga vida eterna: y yo le resucitaré en el día postrero.
Murmuraban entonces de él los Judíos, porque había dicho: Yo soy el pan que descendí del cielo.
Y decían: ¿No es éste Jesús, el hijo de José, cuyo padre y madre nosotros conocemos? ¿cómo, pues, dice éste: Del cielo he descendido?
Y Jesús respondió, y díjoles: No murmuréis entre vosotros.
Ninguno puede venir á mí, si el Padre que me envió no le trajere; y yo le resucitaré en el día postrero.
Escrito está en los profetas: Y serán todos enseñados de Dios. Así que, todo aquel que oyó del Padre, y aprendió, viene á mí.
No que alguno haya visto al Padre, sino aquel que vino de Dios, éste ha visto al Padre.
De cierto, de cierto os digo: El que cree en mí, tiene vida eterna.
Yo soy el pan de vida.
Vuestros padres comieron el maná en el desierto, y son muertos.
Este es el pan que desciende del cielo, para que el que de él comiere, no muera.
Yo soy el pan vivo que he descendido del cielo: si alguno comiere de este pan, vivirá para siempre; y el pan que yo daré es mi carne, la cual yo daré por la vida del mundo.
Entonces los Judíos contendían entre sí, diciendo: ¿Cómo puede éste darnos su carne á comer?
Y Jesús les dijo: De cierto, de cierto os digo: Si no comiereis la carne del Hijo del hombre, y bebiereis su sangre, no tendréis vida en vosotros.
El que come mi carne y bebe mi sangre, tiene vida eterna: y yo le resucitaré en el día postrero.
Porque mi carne es verdadera comida, y mi sangre es verdadera bebida.
El que come mi carne y bebe mi sangre, en mí permanece, y yo en él.
Como me envió el Padre viviente, y yo vivo por el Padre, asimismo el que me come, él también vivirá por mí.
Este es el pan que descendió del cielo: no como vuestros padres comieron el maná, y son muertos: el que come de este pan, vivirá eternamente.
Estas cosas dijo en la sinagoga, enseñando en Capernaum.
Y muchos de sus discípulos oyéndolo, dijeron: Dura es esta palabra: ¿quién la puede oir?
Y sabiendo Jesús en sí mismo que sus discípulos murmuraban de esto, díjoles: ¿Esto os escandaliza?
¿Pues qué, si viereis al Hijo del hombre que sube donde estaba primero?
El espíritu es el que da vida; la carne nada aprovecha: las palabras que yo os he hablado, son espíritu, y son vida.
Mas hay algunos de vosotros que no creen. Porque Jesús desde el principio sabía quiénes eran los que no creían, y quién le había de entregar.
Y dijo: Por eso os he dicho que ninguno puede venir á mí, si no le fuere dado del Padre.
Desde esto, muchos de sus discípulos volvieron atrás, y ya no andaban con él.
Dijo entonces Jesús á los doce: ¿Queréis vosotros iros también?
Y respondióle Simón Pedro: Señor, ¿á quién iremos? tú tienes palabras de vida eterna.
Y nosotros creemos y conocemos que tú eres el Cristo, el Hijo de Dios viviente.
Jesús le respondió: ¿No he escogido yo á vosotros doce, y uno de vosotros es diablo?
Y hablaba de Judas Iscariote, hijo de Simón, porque éste era el que le había de entregar, el cual era uno de los doce.
Y PASADAS estas cosas andaba Jesús en Galilea: que no quería andar en Judea, porque los Judíos procuraban matarle.
Y estaba cerca la fiesta de los Judíos, la de los tabernáculos.
Y dijéronle sus hermanos: Pásate de aquí, y vete á Judea, para que también tus discípulos vean las obras que haces.
Que ninguno que procura ser claro, hace algo en oculto. Si estas cosas haces, manifiéstate al mundo.
Porque ni aun sus hermanos creían en él.
Díceles entonces Jesús: Mi tiempo aun no ha venido; mas vuestro tiempo siempre está presto.
No puede el mundo aborreceros á vosotros; mas á mí me aborrece, porque yo doy testimonio de él, que sus obras son malas.
Vosotros subid á esta fiesta; yo no subo aún á esta fiesta, porque mi tiempo aun no es cumplido.
Y habiéndoles dicho esto, quedóse en Galilea.
Mas como sus hermanos hubieron subido, entonces él también subió á la fiesta, no manifiestamente, sino como en secreto.
Y buscábanle los Judíos en la fiesta, y decían: ¿Dónde está aquél?
Y había grande murmullo de él entre la gente: porque unos decían: Bueno es; y otros decían: No, antes engaña á las gentes.
Mas ninguno hablaba abiertamente de él, por miedo de los Judíos.
Y al medio de la fiesta subió Jesús al templo, y enseñaba.
Y maravillábanse los Judíos, diciendo: ¿Cómo sabe éste letras, no habiendo aprendido?
Respondióles Jesús, y dijo: Mi doctrina no es mía, sino de aquél que me envió.
El que quisiere hacer su voluntad, conocerá de la doctrina si viene de Dios, ó si yo hablo de mí mismo.
El que habla de sí mismo, su propia gloria busca; mas el que busca la gloria del que le envió, éste es verdadero, y no hay en él injusticia.
¿No os dió Moisés la ley, y ninguno de vosotros hace la ley? ¿Por qué me procuráis matar?
Respondió la gente, y dijo: Demonio tienes: ¿quién te procura matar?
Jesús respondió, y díjoles: Una obra hice, y todos os maravilláis.
Cierto, Moisés os dió la circuncisión (no porque sea de Moisés, mas de los padres); y en sábado circuncidáis al hombre.
Si recibe el hombre la circuncisión en sábado, para que la ley de Moisés no sea quebrantada, ¿os enojáis conmigo porque en sábado hice sano todo un hombre?
No juzguéis según lo que parece, mas juzgad justo juicio.
Decían entonces unos de los de Jerusalem: ¿No es éste al que buscan para matarlo?
Y he aquí, habla públicamente, y no le dicen nada; ¿si habrán entendido verdaderamente los príncipes, que éste es el Cristo?
Mas éste, sabemos de dónde es: y cuando viniere el Cristo, nadie sabrá de dónde sea.
Entonces clamaba Jesús en el templo, enseñando y diciendo: Y á mí me conocéis, y sabéis de dónde soy; y no he venido de mí mismo; mas el que me envió es verdadero, al cual vosotros no conocéis.
Yo le conozco, porque de él soy, y él me envió.
Entonces procuraban prenderle; mas ninguno puso en él mano, porque aun no había venido su hora.
Y muchos del pueblo creyeron en él, y decían: El Cristo, cuando viniere, ¿hará más señales que las que éste hace?
Los Fariseos oyeron á la gente que murmuraba de él estas cosas; y los príncipes de los sacerdotes y los Fariseos enviaron servidores que le prendiesen.
Y Jesús dijo: Aun un poco de tiempo estaré con vosotros, é iré al que me envió.
Me buscaréis, y no me hallaréis; y donde yo estaré, vosotros no podréis venir.
Entonces los Judíos dijeron entre sí: ¿A dónde se ha de ir éste que no le hallemos? ¿Se ha de ir á los esparcidos entre los Griegos, y á enseñar á los Griegos?
¿Qué dicho es éste que dijo: Me buscaréis, y no me hallaréis; y donde yo estaré, vosotros no podréis venir?
Mas en el postrer día grande de la fiesta, Jesús se ponía en pie y clamaba, diciendo: Si alguno tiene sed, venga á mí y beba.
El que cree en mí, como dice la Escritura, ríos de agua viva correrán de su vientre.
(Y esto dijo del Espíritu que habían de recibir los que creyesen en él: pues aun no había venido el Espíritu Santo; porque Jesús no estaba aún glorificado.)
Entonces algunos de la multitud, oyendo este dicho, decían: Verdaderamente éste es el profeta.
Otros decían: Este es el Cristo. Algunos empero decían: ¿De Galilea ha de venir el Cristo?
¿No dice la Escritura, que de la simiente de David, y de la aldea de Bethlehem, de donde era David, vendrá el Cristo?
Así que había disensión entre la gente acerca de él.
Y algunos de ellos querían prenderle; mas ninguno echó sobre él manos.
Y los ministriles vinieron á los principales sacerdotes y á los Fariseos; y ellos les dijeron: ¿Por qué no le trajisteis?
Los ministriles respondieron: Nunca ha hablado hombre así como este hombre.
Entonces los Fariseos les respondieron: ¿Estáis también vosotros engañados?
¿Ha creído en él alguno de los príncipes, ó de los Fariseos?
Mas estos comunales que no saben la ley, malditos son.
Díceles Nicodemo (el que vino á él de noche, el cual era uno de ellos):
¿Juzga nuestra ley á hombre, si primero no oyere de él, y entendiere lo que ha hecho?
Respondieron y dijéronle: ¿Eres tú también Galileo? Escudriña y ve que de Galilea nunca se levantó profeta.
Y fuése cada uno á su casa.
Y JESÚS se fué al monte de las Olivas.
Y por la mañana volvió al templo, y todo el pueblo vino á él: y sentado él, los enseñaba.
Entonces los escribas y los Fariseos le traen una mujer tomada en adulterio; y poniéndola en medio,
Dícenle: Maestro, esta mujer ha sido tomada en el mismo hecho, adulterando;
Y en la ley Moisés nos mandó apedrear á las tales: tú pues, ¿qué dices?
Mas esto decían tentándole, para poder acusarle. Empero Jesús, inclinado hacia abajo, escribía en tierra con el dedo.
Y como perseverasen preguntándole, enderezóse, y díjoles: El que de vosotros esté sin pecado, arroje contra ella la piedra el primero.
Y volviéndose á inclinar hacia abajo, escribía en tierra.
Oyendo, pues, ellos, redargüidos de la conciencia, salíanse uno á uno, comenzando desde los más viejos hasta los postreros: y quedó solo Jesús, y la mujer que estaba en medio.
Y enderezándose Jesús, y no viendo á nadie más que á la mujer, díjole: ¿Mujer, dónde están los que te acusaban? ¿Ninguno te ha condenado?
Y ella dijo: Señor, ninguno. Entonces Jesús le dijo: Ni yo te condeno: vete, y no peques más.
Y hablóles Jesús otra vez, diciendo: Yo soy la luz del mundo: el que me sigue, no andará en tinieblas, mas tendrá la lumbre de la vida.
Entonces los Fariseos le dijeron: Tú de ti mismo das testimonio: tu testimonio no es verdadero.
Respondió Jesús, y díjoles: Aunque yo doy testimonio de mí mismo, mi testimonio es verdadero, porque sé de dónde he venido y á dónde voy; mas vosotros no sabéis de dónde vengo, y á dónde voy.
Vosotros según la carne juzgáis; mas yo no juzgo á nadie.
Y si yo juzgo, mi juicio es verdadero; porque no soy solo, sino yo y el que me envió, el Padre.
Y en vuestra ley está escrito que el testimonio de dos hombres es verdadero.
Yo soy el que doy testimonio de mí mismo: y da testimonio de mí el que me envió, el Padre.
Y decíanle: ¿Dónde está tu Padre? Respondió Jesús: Ni á mí me conocéis, ni á mi Padre; si á mí me conocieseis, á mi Padre también conocierais.
Estas palabras habló Jesús en el lugar de las limosnas, enseñando en el templo: y nadie le prendió; porque aun no había venido su hora.
Y díjoles otra vez Jesús: Yo me voy, y me buscaréis, mas en vuestro pecado moriréis: á donde yo voy, vosotros no podéis venir.
Decían entonces los Judíos: ¿Hase de matar á sí mismo, que dice: A donde yo voy, vosotros no podéis venir?
Y decíales: Vosotros sois de abajo, yo soy de arriba; vosotros sois de este mundo, yo no soy de este mundo.
Por eso os dije que moriréis en vuestros pecados; porque si no creyereis que yo soy, en vuestros pecados moriréis.
Y decíanle: ¿Tú quién eres? Entonces Jesús les dijo: El que al principio también os he dicho.
Muchas cosas tengo que decir y juzgar de vosotros: mas el que me envió, es verdadero: y yo, lo que he oído de él, esto hablo en el mundo.
Mas no entendieron que él les hablaba del Padre.
Díjoles pues, Jesús: Cuando levantareis al Hijo del hombre, entonces entenderéis que yo soy, y que nada hago de mí mismo; mas como el Padre me enseñó, esto hablo.
Porque el que me envió, conmigo está; no me ha dejado solo el Padre; porque yo, lo que á él agrada, hago siempre.
Hablando él estas cosas, muchos creyeron en él.
Y decía Jesús á los Judíos que le habían creído: Si vosotros permaneciereis en mi palabra, seréis verdaderamente mis discípulos;
Y conoceréis la verdad, y la verdad os libertará.
Y respondiéronle: Simiente de Abraham somos, y jamás servimos á nadie: ¿cómo dices tú: Seréis libres?
Jesús les respondió: De cierto, de cierto os digo, que todo aquel que hace pecado, es siervo de pecado.
Y el siervo no queda en casa para siempre: el hijo queda para siempre.
Así que, si el Hijo os libertare, seréis verdaderamente libres.
Sé que sois simiente de Abraham, mas procuráis matarme, porque mi palabra no cabe en vosotros.
Yo hablo lo que he visto cerca del Padre; y vosotros hacéis lo que habéis oído cerca de vuestro padre.
Respondieron y dijéronle: Nuestro padre es Abraham. Díceles Jesús: Si fuerais hijos de Abraham, las obras de Abraham haríais.
Empero ahora procuráis matarme, hombre que os he hablado la verdad, la cual he oído de Dios: no hizo esto Abraham.
Vosotros hacéis las obras de vuestro padre. Dijéronle entonces: Nosotros no somos nacidos de fornicación; un padre tenemos, que es Dios.
Jesús entonces les dijo: Si vuestro padre fuera Dios, ciertamente me amaríais: porque yo de Dios he salido, y he venido; que no he venido de mí mismo, mas él me envió.
¿Por qué no reconocéis mi lenguaje? porque no podéis oir mi palabra.
Vosotros de vuestro padre el diablo sois, y los deseos de vuestro padre queréis cumplir. El, homicida ha sido desde el principio, y no permaneció en la verdad, porque no hay verdad en él. Cuando habla mentira, de suyo habla; porque es mentiroso, y padre de mentira.
Y porque yo digo verdad, no me creéis.
¿Quién de vosotros me redarguye de pecado? Pues si digo verdad, ¿por qué vosotros no me creéis?
El que es de Dios, las palabras de Dios oye: por esto no las oís vosotros, porque no sois de Dios.
Respondieron entonces los Judíos, y dijéronle: ¿No decimos bien nosotros, que tú eres Samaritano, y tienes demonio?
Respondió Jesús: Yo no tengo demonio, antes honro á mi Padre; y vosotros me habéis deshonrado.
Y no busco mi gloria: hay quien la busque, y juzgue.
De cierto, de cierto os digo, que el que guardare mi palabra, no verá muerte para siempre.
Entonces los Judíos le dijeron: Ahora conocemos que tienes demonio. Abraham murió, y los profetas, y tú dices: El que guardare mi palabra, no gustará muerte para siempre.
¿Eres tú mayor que nuestro padre Abraham, el cual murió? y los profetas murieron: ¿quién te haces á ti mismo?
Respondió Jesús: Si yo me glorifico á mí mismo, mi gloria es nada: mi Padre es el que me glorifica; el que vosotros decís que es vuestro Dios;
Y no le conocéis: mas yo le conozco; y si dijere que no le conozco, seré como vosotros mentiroso: mas le conozco, y guardo su palabra.
Abraham vuestro padre se gozó por ver mi día; y lo vió, y se gozó.
Dijéronle entonces los Judíos: Aun no tienes cincuenta años, ¿y has visto á Abraham?
Díjoles Jesús: De cierto, de cierto os digo: Antes que Abraham fuese, yo soy.
Tomaron entonces piedras para tirarle: mas Jesús se encubrió, y salió del templo; y atravesando por medio de ellos, se fué.
Y PASANDO Jesús, vió un hombre ciego desde su nacimiento.
Y preguntáronle sus discípulos, diciendo: Rabbí, ¿quién pecó, éste ó sus padres, para que naciese ciego?
Respondió Jesús: Ni éste pecó, ni sus padres: mas para que las obras de Dios se manifiesten en él.
Conviéneme obrar las obras del que me envió, entre tanto que el día dura: la noche viene, cuando nadie puede obrar.
Entre tanto que estuviere en el mundo, luz soy del mundo.
Esto dicho, escupió en tierra, é hizo lodo con la saliva, y untó con el lodo sobre los ojos del ciego,
Y díjole: Ve, lávate en el estanque de Siloé (que significa, si lo interpretares, Enviado). Y fué entonces, y lavóse, y volvió viendo.
Entonces los vecinos, y los que antes le habían visto que era ciego, decían: ¿No es éste el que se sentaba y mendigaba?
Unos decían: Este es; y otros: A él se parece. El decía: Yo soy.
Y dijéronle: ¿Cómo te fueron abiertos los ojos?
Respondió él y dijo: El hombre que se llama Jesús, hizo lodo, y me untó los ojos, y me dijo: Ve al Siloé, y lávate: y fuí, y me lavé, y recibí la vista.
Entonces le dijeron: ¿Dónde está aquél? El dijo: No sé.
Llevaron á los Fariseos al que antes había sido ciego.
Y era sábado cuando Jesús había hecho el lodo, y le había abierto los ojos.
Y volviéronle á preguntar también los Fariseos de qué manera había recibido la vista. Y él les dijo: Púsome lodo sobre los ojos, y me lavé, y veo.
Entonces unos de los Fariseos decían: Este hombre no es de Dios, que no guarda el sábado. Otros decían: ¿Cómo puede un hombre pecador hacer estas señales? Y había disensión entre ellos.
Vuelven á decir al ciego: ¿Tú, qué dices del que te abrió los ojos? Y él dijo: Que es profeta.
Mas los Judíos no creían de él, que había sido ciego, y hubiese recibido la vista, hasta que llamaron á los padres del que había recibido la vista;
Y preguntáronles, diciendo: ¿Es éste vuestro hijo, el que vosotros decís que nació ciego? ¿Cómo, pues, ve ahora?
Respondiéronles sus padres y dijeron: Sabemos que éste es nuestro hijo, y que nació ciego:
Mas cómo vea ahora, no sabemos; ó quién le haya abierto los ojos, nosotros no lo sabemos; él tiene edad, preguntadle á él; él hablará de sí.
Esto dijeron sus padres, porque tenían miedo de los Judíos: porque ya los Judíos habían resuelto que si alguno confesase ser él el Mesías, fuese fuera de la sinagoga.
Por eso dijeron sus padres: Edad tiene, preguntadle á él.
Así que, volvieron á llamar al hombre que había sido ciego, y dijéronle: Da gloria á Dios: nosotros sabemos que este hombre es pecador.
Entonces él respondió, y dijo: Si es pecador, no lo sé: una cosa sé, que habiendo yo sido ciego, ahora veo.
Y volviéronle á decir: ¿Qué te hizo? ¿Cómo te abrió los ojos?
Respondióles: Ya os lo he dicho, y no habéis atendido: ¿por qué lo queréis otra vez oir? ¿queréis también vosotros haceros sus discípulos?
Y le ultrajaron, y dijeron: Tú eres su discípulo; pero nosotros discípulos de Moisés somos.
Nosotros sabemos que á Moisés habló Dios: mas éste no sabemos de dónde es.
Respondió aquel hombre, y díjoles: Por cierto, maravillosa cosa es ésta, que vosotros no sabéis de dónde sea, y á mí me abrió los ojos.
Y sabemos que Dios no oye á los pecadores: mas si alguno es temeroso de Dios, y hace su voluntad, á éste oye.
Desde el siglo no fué oído, que abriese alguno los ojos de uno que nació ciego.
Si éste no fuera de Dios, no pudiera hacer nada.
Respondieron, y dijéronle: En pecados eres nacido todo, ¿y tú nos enseñas? Y echáronle fuera.
Oyó Jesús que le habían echado fuera; y hallándole, díjole: ¿Crees tú en el Hijo de Dios?
Respondió él, y dijo: ¿Quién es, Señor, para que crea en él?
Y díjole Jesús: Y le has visto, y el que habla contigo, él es.
Y él dice: Creo, Señor; y adoróle.
Y dijo Jesús: Yo, para juicio he venido á este mundo: para que los que no ven, vean; y los que ven, sean cegados.
Y ciertos de los Fariseos que estaban con él oyeron esto, y dijéronle: ¿Somos nosotros también ciegos?
Díjoles Jesús: Si fuerais ciegos, no tuvierais pecado: mas ahora porque decís, Vemos, por tanto vuestro pecado permanece.
DE cierto, de cierto os digo: El que no entra por la puerta en el corral de las ovejas, mas sube por otra parte, el tal es ladrón y robador.
Mas el que entra por la puerta, el pastor de las ovejas es.
A éste abre el portero, y las ovejas oyen su voz: y á sus ovejas llama por nombre, y las saca.
Y como ha sacado fuera todas las propias, va delante de ellas; y las ovejas le siguen, porque conocen su voz.
Mas al extraño no seguirán, antes huirán de él: porque no conocen la voz de los extraños.
Esta parábola les dijo Jesús; mas ellos no entendieron qué era lo que les decía.
Volvióles, pues, Jesús á decir: De cierto, de cierto os digo: Yo soy la puerta de las ovejas.
Todos los que antes de mí vinieron, ladrones son y robadores; mas no los oyeron las ovejas.
Yo soy la puerta: el que por mí entrare, será salvo; y entrará, y saldrá, y hallará pastos.
El ladrón no viene sino para hurtar, y matar, y destruir: yo he venido para que tengan vida, y para que la tengan en abundancia.
Yo soy el buen pastor: el buen pastor su vida da por las ovejas.
Mas el asalariado, y que no es el pastor, de quien no son propias las ovejas, ve al lobo que viene, y deja las ovejas, y huye, y el lobo las arrebata, y esparce las ovejas.
Así que, el asalariado, huye, porque es asalariado, y no tiene cuidado de las ovejas.
Yo soy el buen pastor; y conozco mis ovejas, y las mías me conocen.
Como el Padre me conoce, y yo conozco al Padre; y pongo mi vida por las ovejas.
También tengo otras ovejas que no son de este redil; aquéllas también me conviene traer, y oirán mi voz; y habrá un rebaño, y un pastor.
Por eso me ama el Padre, porque yo pongo mi vida, para volverla á tomar.
Nadie me la quita, mas yo la pongo de mí mismo. Tengo poder para ponerla, y tengo poder para volverla á tomar. Este mandamiento recibí de mi Padre.
Y volvió á haber disensión entre los Judíos por estas palabras.
Y muchos de ellos decían: Demonio tiene, y está fuera de sí; ¿para qué le oís?
Decían otros: Estas palabras no son de endemoniado: ¿puede el demonio abrir los ojos de los ciegos?
Y se hacía la fiesta de la dedicación en Jerusalem; y era invierno;
Y Jesús andaba en el templo por el portal de Salomón.
Y rodeáronle los Judíos y dijéronle: ¿Hasta cuándo nos has de turbar el alma? Si tú eres el Cristo, dínos lo abiertamente.
Respondióles Jesús: Os lo he dicho, y no creéis: las obras que yo hago en nombre de mi Padre, ellas dan testimonio de mí;
Mas vosotros no creéis, porque no sois de mis ovejas, como os he dicho.
Mis ovejas oyen mi voz, y yo las conozco, y me siguen;
Y yo les doy vida eterna: y no perecerán para siempre, ni nadie las arrebatará de mi mano.
Mi Padre que me las dió, mayor que todos es: y nadie las puede arrebatar de la mano de mi Padre.
Yo y el Padre una cosa somos.
Entonces volvieron á tomar piedras los Judíos para apedrearle.
Respondióles Jesús: Muchas buenas obras os he mostrado de mi Padre; ¿por cuál obra de esas me apedreáis?
Respondiéronle los Judíos, diciendo: Por buena obra no te apedreamos, sino por la blasfemia; y porque tú, siendo hombre, te haces Dios.
Respondióles Jesús: ¿No está escrito en vuestra ley: Yo dije, Dioses sois?
Si dijo, dioses, á aquellos á los cuales fué hecha palabra de Dios (y la Escritura no puede ser quebrantada);
¿A quien el Padre santificó y envió al mundo, vosotros decís: Tú blasfemas, porque dije: Hijo de Dios soy?
Si no hago obras de mi Padre, no me creáis.
Mas si las hago, aunque á mí no creáis, creed á las obras; para que conozcáis y creáis que el Padre está en mí, y yo en el Padre.
Y procuraban otra vez prenderle; mas él se salió de sus manos;
Y volvióse tras el Jordán, á aquel lugar donde primero había estado bautizando Juan; y estúvose allí.
Y muchos venían á él, y decían: Juan, á la verdad, ninguna señal hizo; mas todo lo que Juan dijo de éste, era verdad.
Y muchos creyeron allí en él.
ESTABA entonces enfermo uno llamado Lázaro, de Bethania, la aldea de María y de Marta su hermana.
(Y María, cuyo hermano Lázaro estaba enfermo, era la que ungió al Señor con ungüento, y limpió sus pies con sus cabellos.)
Enviaron, pues, sus hermanas á él, diciendo: Señor, he aquí, el que amas está enfermo.
Y oyéndolo Jesús, dijo: Esta enfermedad no es para muerte, mas por gloria de Dios, para que el Hijo de Dios sea glorificado por ella.
Y amaba Jesús á Marta, y á su hermana, y á Lázaro.
Como oyó pues que estaba enfermo, quedóse aún dos días en aquel lugar donde estaba.
Luego, después de esto, dijo á los discípulos: Vamos á Judea otra vez.
Dícenle los discípulos: Rabbí, ahora procuraban los Judíos apedrearte, ¿y otra vez vas allá?
Respondió Jesús: ¿No tiene el día doce horas? El que anduviere de día, no tropieza, porque ve la luz de este mundo.
Mas el que anduviere de noche, tropieza, porque no hay luz en él.
Dicho esto, díceles después: Lázaro nuestro amigo duerme; mas voy á despertarle del sueño.
Dijeron entonces sus discípulos: Señor, si duerme, salvo estará.
Mas esto decía Jesús de la muerte de él: y ellos pensaron que hablaba del reposar del sueño.
Entonces, pues, Jesús les dijo claramente: Lázaro es muerto;
Y huélgome por vosotros, que yo no haya estado allí, para que creáis: mas vamos á él.
Dijo entonces Tomás, el que se dice el Dídimo, á sus condiscípulos: Vamos también nosotros, para que muramos con él.
Vino pues Jesús, y halló que había ya cuatro días que estaba en el sepulcro.
Y Bethania estaba cerca de Jerusalem, como quince estadios;
Y muchos de los Judíos habían venido á Marta y á María, á consolarlas de su hermano.
Entonces Marta, como oyó que Jesús venía, salió á encontrarle; mas María se estuvo en casa.
Y Marta dijo á Jesús: Señor, si hubieses estado aquí, mi hermano no fuera muerto;
Mas también sé ahora, que todo lo que pidieres de Dios, te dará Dios.
Dícele Jesús: Resucitará tu hermano.
Marta le dice: Yo sé que resucitará en la resurrección en el día postrero.
Dícele Jesús: Yo soy la resurrección y la vida: el que cree en mí, aunque esté muerto, vivirá.
Y todo aquel que vive y cree en mí, no morirá eternamente. ¿Crees esto?
Dícele: Sí, Señor; yo he creído que tú eres el Cristo, el Hijo de Dios, que has venido al mundo.
Y esto dicho, fuése, y llamó en secreto á María su hermana, diciendo: El Maestro está aquí y te llama.
Ella, como lo oyó, levántase prestamente y viene á él.
(Que aun no había llegado Jesús á la aldea, mas estaba en aquel lugar donde Marta le había encontrado.)
Entonces los Judíos que estaban en casa con ella, y la consolaban, como vieron que María se había levantado prestamente, y había salido, siguiéronla, diciendo: Va al sepulcro á llorar allí.
Mas María, como vino donde estaba Jesús, viéndole, derribóse á sus pies, diciéndole: Señor, si hubieras estado aquí, no fuera muerto mi hermano.
Jesús entonces, como la vió llorando, y á los Judíos que habían venido juntamente con ella llorando, se conmovió en espíritu, y turbóse,
Y dijo: ¿Dónde le pusisteis? Dícenle: Señor, ven, y ve.
Y lloró Jesús.
Dijeron entonces los Judíos: Mirad cómo le amaba.
Y algunos de ellos dijeron: ¿No podía éste que abrió los ojos al ciego, hacer que éste no muriera?
Y Jesús, conmoviéndose otra vez en sí mismo, vino al sepulcro. Era una cueva, la cual tenía una piedra encima.
Dice Jesús: Quitad la piedra. Marta, la hermana del que se había muerto, le dice: Señor, hiede ya, que es de cuatro días.
Jesús le dice: ¿No te he dicho que, si creyeres, verás la gloria de Dios?
Entonces quitaron la piedra de donde el muerto había sido puesto. Y Jesús, alzando los ojos arriba, dijo: Padre, gracias te doy que me has oído.
Que yo sabía que siempre me oyes; mas por causa de la compañía que está alrededor, lo dije, para que crean que tú me has enviado.
Y habiendo dicho estas cosas, clamó á gran voz: Lázaro, ven fuera.
Y el que había estado muerto, salió, atadas las manos y los pies con vendas; y su rostro estaba envuelto en un sudario. Díceles Jesús: Desatadle, y dejadle ir.
Entonces muchos de los Judíos que habían venido á María, y habían visto lo que había hecho Jesús, creyeron en él.
Mas algunos de ellos fueron á los Fariseos, y dijéronles lo que Jesús había hecho.
Entonces los pontífices y los Fariseos juntaron concilio, y decían: ¿Qué hacemos? porque este hombre hace muchas señales.
Si le dejamos así, todos creerán en él: y vendrán los Romanos, y quitarán nuestro lugar y la nación.
Y Caifás, uno de ellos, sumo pontífice de aquel año, les dijo: Vosotros no sabéis nada;
Ni pensáis que nos conviene que un hombre muera por el pueblo, y no que toda la nación se pierda.
Mas esto no lo dijo de sí mismo; sino que, como era el sumo pontífice de aquel año, profetizó que Jesús había de morir por la nación:
Y no solamente por aquella nación, mas también para que juntase en uno los hijos de Dios que estaban derramados.
Así que, desde aquel día consultaban juntos de matarle.
Por tanto, Jesús ya no andaba manifiestamente entre los Judíos; mas fuése de allí á la tierra que está junto al desierto, á una ciudad que se llama Ephraim: y estábase allí con sus discípulos.
Y la Pascua de los Judíos estaba cerca: y muchos subieron de aquella tierra á Jerusalem antes de la Pascua, para purificarse;
Y buscaban á Jesús, y hablaban los unos con los otros estando en el templo: ¿Qué os parece, que no vendrá á la fiesta?
Y los pontífices y los Fariseos habían dado mandamiento, que si alguno supiese dónde estuviera, lo manifestase, para que le prendiesen.
Y JESÚS, seis días antes de la Pascua, vino á Bethania, donde estaba Lázaro, que había sido muerto, al cual había resucitado de los muertos.
E hiciéronle allí una cena: y Marta servía, y Lázaro era uno de los que estaban sentados á la mesa juntamente con él.
Entonces María tomó una libra de ungüento de nardo líquido de mucho precio, y ungió los pies de Jesús, y limpió sus pies con sus cabellos: y la casa se llenó del olor del ungüento.
Y dijo uno de sus discípulos, Judas Iscariote, hijo de Simón, el que le había de entregar:
¿Por qué no se ha vendido este ungüento por trescientos dineros, y se dió á los pobres?
Mas dijo esto, no por el cuidado que él tenía de los pobres; sino porque era ladrón, y tenía la bolsa, y traía lo que se echaba en ella.
Entonces Jesús dijo: Déjala: para el día de mi sepultura ha guardado esto;
Porque á los pobres siempre los tenéis con vosotros, mas á mí no siempre me tenéis.
Entonces mucha gente de los Judíos entendió que él estaba allí; y vinieron no solamente por causa de Jesús, mas también por ver á Lázaro, al cual había resucitado de los muertos.
Consultaron asimismo los príncipes de los sacerdotes, de matar también á Lázaro;
Porque muchos de los Judíos iban y creían en Jesús por causa de él.
El siguiente día, mucha gente que había venido á la fiesta, como oyeron que Jesús venía á Jerusalem,
Tomaron ramos de palmas, y salieron á recibirle, y clamaban: ¡Hosanna, Bendito el que viene en el nombre del Señor, el Rey de Israel!
Y halló Jesús un asnillo, y se sentó sobre él, como está escrito:
No temas, hija de Sión: he aquí tu Rey viene, sentado sobre un pollino de asna.
Estas cosas no las entendieron sus discípulos de primero: empero cuando Jesús fué glorificado, entonces se acordaron de que estas cosas estaban escritas de él, y que le hicieron estas cosas.
Y la gente que estaba con él, daba testimonio de cuando llamó á Lázaro del sepulcro, y le resucitó de los muertos.
Por lo cual también había venido la gente á recibirle, porque había oído que él había hecho esta señal;
Mas los Fariseos dijeron entre sí: ¿Veis que nada aprovecháis? he aquí, el mundo se va tras de él.
Y había ciertos Griegos de los que habían subido á adorar en la fiesta:
Estos pues, se llegaron á Felipe, que era de Bethsaida de Galilea, y rogáronle, diciendo: Señor, querríamos ver á Jesús.
Vino Felipe, y díjolo á Andrés: Andrés entonces, y Felipe, lo dicen á Jesús.
Entonces Jesús les respondió, diciendo: La hora viene en que el Hijo del hombre ha de ser glorificado.
De cierto, de cierto os digo, que si el grano de trigo no cae en la tierra y muere, él solo queda; mas si muriere, mucho fruto lleva.
El que ama su vida, la perderá; y el que aborrece su vida en este mundo, para vida eterna la guardará.
Si alguno me sirve, sígame: y donde yo estuviere, allí también estará mi servidor. Si alguno me sirviere, mi Padre le honrará.
Ahora está turbada mi alma; ¿y qué diré? Padre, sálvame de esta hora. Mas por esto he venido en esta hora.
Padre, glorifica tu nombre. Entonces vino una voz del cielo: Y lo he glorificado, y lo glorificaré otra vez.
Y la gente que estaba presente, y había oído, decía que había sido trueno. Otros decían: Angel le ha hablado.
Respondió Jesús, y dijo: No ha venido esta voz por mi causa, mas por causa de vosotros.
Ahora es el juicio de este mundo: ahora el príncipe de este mundo será echado fuera.
Y yo, si fuere levantado de la tierra, á todos traeré á mí mismo.
Y esto decía dando á entender de qué muerte había de morir.
Respondióle la gente: Nosotros hemos oído de la ley, que el Cristo permanece para siempre: ¿cómo pues dices tú: Conviene que el Hijo del hombre sea levantado? ¿Quién es este Hijo del hombre?
Entonces Jesús les dice: Aun por un poco estará la luz entre vosotros: andad entre tanto que tenéis luz, porque no os sorprendan las tinieblas; porque el que anda en tinieblas, no sabe dónde va.
Entre tanto que tenéis la luz, creed en la luz, para que seáis hijos de luz. Estas cosas habló Jesús, y fuése, y escondióse de ellos.
Empero habiendo hecho delante de ellos tantas señales, no creían en él.
Para que se cumpliese el dicho que dijo el profeta Isaías: ¿Señor, quién ha creído á nuestro dicho? ¿y el brazo del Señor, á quién es revelado?
Por esto no podían creer, porque otra vez dijo Isaías:
Cegó los ojos de ellos, y endureció su corazón; porque no vean con los ojos, y entiendan de corazón, y se conviertan, y yo los sane.
Estas cosas dijo Isaías cuando vió su gloria, y habló de él.
Con todo eso, aun de los príncipes, muchos creyeron en él; mas por causa de los Fariseos no lo confesaban, por no ser echados de la sinagoga.
Porque amaban más la gloria de los hombres que la gloria de Dios.
Mas Jesús clamó y dijo: El que cree en mí, no cree en mí, sino en el que me envió;
Y el que me ve, ve al que me envió.
Yo la luz he venido al mundo, para que todo aquel que cree en mí no permanezca en tinieblas.
Y el que oyere mis palabras, y no las creyere, yo no le juzgo; porque no he venido á juzgar al mundo, sino á salvar al mundo.
El que me desecha, y no recibe mis palabras, tiene quien le juzgue: la palabra que he hablado, ella le juzgará en el día postrero.
Porque yo no he hablado de mí mismo: mas el Padre que me envió, él me dió mandamiento de lo que he de decir, y de lo que he de hablar.
Y sé que su mandamiento es vida eterna: así que, lo que yo hablo, como el Padre me lo ha dicho, así hablo.
ANTES de la fiesta de la Pascua, sabiendo Jesús que su hora había venido para que pasase de este mundo al Padre, como había amado á los suyos que estaban en el mundo, amólos hasta el fin.
Y la cena acabada, como el diablo ya había metido en el corazón de Judas, hijo de Simón Iscariote, que le entregase,
Sabiendo Jesús que el Padre le había dado todas las cosas en las manos, y que había salido de Dios, y á Dios iba,
Levántase de la cena, y quítase su ropa, y tomando una toalla, ciñóse.
Luego puso agua en un lebrillo, y comenzó á lavar los pies de los discípulos, y á limpiarlos con la toalla con que estaba ceñido.
Entonces vino á Simón Pedro; y Pedro le dice: ¿Señor, tú me lavas los pies?
Respondió Jesús, y díjole: Lo que yo hago, tú no entiendes ahora; mas lo entenderás después.
Dícele Pedro: No me lavarás los pies jamás. Respondióle Jesús: Si no te lavare, no tendrás parte conmigo.
Dícele Simón Pedro: Señor, no sólo mis pies, mas aun las manos y la cabeza.
Dícele Jesús: El que está lavado, no necesita sino que lave los pies, mas está todo limpio: y vosotros limpios estáis, aunque no todos.
Porque sabía quién le había de entregar; por eso dijo: No estáis limpios todos.
Así que, después que les hubo lavado los pies, y tomado su ropa, volviéndose á sentar á la mesa, díjoles: ¿Sabéis lo que os he hecho?
Vosotros me llamáis, Maestro, y, Señor: y decís bien; porque lo soy.
Pues si yo, el Señor y el Maestro, he lavado vuestros pies, vosotros también debéis lavar los pies los unos á los otros.
Porque ejemplo os he dado, para que como yo os he hecho, vosotros también hagáis.
De cierto, de cierto os digo: El siervo no es mayor que su señor, ni el apóstol es mayor que el que le envió.
Si sabéis estas cosas, bienaventurados seréis, si las hiciereis.
No hablo de todos vosotros: yo sé los que he elegido: mas para que se cumpla la Escritura: El que come pan conmigo, levantó contra mí su calcañar.
Desde ahora os lo digo antes que se haga, para que cuando se hiciere, creáis que yo soy.
De cierto, de cierto os digo: El que recibe al que yo enviare, á mí recibe; y el que á mí recibe, recibe al que me envió.
Como hubo dicho Jesús esto, fué conmovido en el espíritu, y protestó, y dijo: De cierto, de cierto os digo, que uno de vosotros me ha de entregar.
Entonces los discípulos mirábanse los unos á los otros, dudando de quién decía.
Y uno de sus discípulos, al cual Jesús amaba, estaba recostado en el seno de Jesús.
A éste, pues, hizo señas Simón Pedro, para que preguntase quién era aquél de quien decía.
El entonces recostándose sobre el pecho de Jesús, dícele: Señor, ¿quién es?
Respondió Jesús: Aquél es, á quien yo diere el pan mojado. Y mojando el pan, diólo á Judas Iscariote, hijo de Simón.
Y tras el bocado Satanás entró en él. Entonces Jesús le dice: Lo que haces, hazlo más presto.
Mas ninguno de los que estaban á la mesa entendió á qué propósito le dijo esto.
Porque los unos pensaban, porque Judas tenía la bolsa, que Jesús le decía: Compra lo que necesitamos para la fiesta: ó, que diese algo á los pobres.
Como él pues hubo tomado el bocado, luego salió: y era ya noche.
Entonces como él salió, dijo Jesús: Ahora es glorificado el Hijo del hombre, y Dios es glorificado en él.
Si Dios es glorificado en él, Dios también le glorificará en sí mismo, y luego le glorificará.
Hijitos, aun un poco estoy con vosotros. Me buscaréis; mas, como dije á los Judíos: Donde yo voy, vosotros no podéis venir; así digo á vosotros ahora.
Un mandamiento nuevo os doy: Que os améis unos á otros: como os he amado, que también os améis los unos á los otros.
En esto conocerán todos que sois mis discípulos, si tuviereis amor los unos con los otros.
Dícele Simón Pedro: Señor, ¿adónde vas? Respondióle Jesús: Donde yo voy, no me puedes ahora seguir; mas me seguirás después.
Dícele Pedro: Señor, ¿por qué no te puedo seguir ahora? mi alma pondré por ti.
Respondióle Jesús: ¿Tu alma pondrás por mí? De cierto, de cierto te digo: No cantará el gallo, sin que me hayas negado tres veces.
NO se turbe vuestro corazón: creéis en Dios, creed también en mí.
En la casa de mi Padre muchas moradas hay: de otra manera os lo hubiera dicho: voy, pues, á preparar lugar para vosotros.
Y si me fuere, y os aparejare lugar, vendré otra vez, y os tomaré á mí mismo: para que donde yo estoy, vosotros también estéis.
Y sabéis á dónde yo voy; y sabéis el camino.
Dícele Tomás: Señor, no sabemos á dónde vas: ¿cómo, pues, podemos saber el camino?
Jesús le dice: Yo soy el camino, y la verdad, y la vida: nadie viene al Padre, sino por mí.
Si me conocieseis, también á mi Padre conocierais: y desde ahora le conocéis, y le habéis visto.
Dícele Felipe: Señor, muéstranos el Padre, y nos basta.
Jesús le dice: ¿Tanto tiempo ha que estoy con vosotros, y no me has conocido, Felipe? El que me ha visto, ha visto al Padre; ¿cómo, pues, dices tú: Muéstranos el Padre?
¿No crees que yo soy en el Padre, y el Padre en mí? Las palabras que yo os hablo, no las hablo de mí mismo: mas el Padre que está en mí, él hace las obras.
Creedme que yo soy en el Padre, y el Padre en mí: de otra manera, creedme por las mismas obras.
De cierto, de cierto os digo: El que en mí cree, las obras que yo hago también él las hará; y mayores que éstas hará; porque yo voy al Padre.
Y todo lo que pidiereis al Padre en mi nombre, esto haré, para que el Padre sea glorificado en el Hijo.
Si algo pidiereis en mi nombre, yo lo haré.
Si me amáis, guardad mis mandamientos;
Y yo rogaré al Padre, y os dará otro Consolador, para que esté con vosotros para siempre:
Al Espíritu de verdad, al cual el mundo no puede recibir, porque no le ve, ni le conoce: mas vosotros le conocéis; porque está con vosotros, y será en vosotros.
No os dejaré huérfanos: vendré á vosotros.
Aun un poquito, y el mundo no me verá más; empero vosotros me veréis; porque yo vivo, y vosotros también viviréis.
En aquel día vosotros conoceréis que yo estoy en mi Padre, y vosotros en mí, y yo en vosotros.
El que tiene mis mandamientos, y los guarda, aquél es el que me ama; y el que me ama, será amado de mi Padre, y yo le amaré, y me manifestaré á él.
Dícele Judas, no el Iscariote: Señor, ¿qué hay porque te hayas de manifestar á nosotros, y no al mundo?
Respondió Jesús, y díjole: El que me ama, mi palabra guardará; y mi Padre le amará, y vendremos á él, y haremos con él morada.
El que no me ama, no guarda mis palabras: y la palabra que habéis oído, no es mía, sino del Padre que me envió.
Estas cosas os he hablado estando con vosotros.
Mas el Consolador, el Espíritu Santo, al cual el Padre enviará en mi nombre, él os enseñará todas las cosas, y os recordará todas las cosas que os he dicho.
La paz os dejo, mi paz os doy: no como el mundo la da, yo os la doy. No se turbe vuestro corazón, ni tenga miedo.
Habéis oído cómo yo os he dicho: Voy, y vengo á vosotros. Si me amaseis, ciertamente os gozaríais, porque he dicho que voy al Padre: porque el Padre mayor es que yo.
Y ahora os lo he dicho antes que se haga; para que cuando se hiciere, creáis.
Ya no hablaré mucho con vosotros: porque viene el príncipe de este mundo; mas no tiene nada en mí.
Empero para que conozca el mundo que amo al Padre, y como el Padre me dió el mandamiento, así hago. Levantaos, vamos de aquí.
YO soy la vid verdadera, y mi Padre es el labrador.
Todo pámpano que en mí no lleva fruto, le quitará: y todo aquel que lleva fruto, le limpiará, para que lleve más fruto.
Ya vosotros sois limpios por la palabra que os he hablado.
Estad en mí, y yo en vosotros. Como el pámpano no puede llevar fruto de sí mismo, si no estuviere en la vid; así ni vosotros, si no estuviereis en mí.
Yo soy la vid, vosotros los pámpanos: el que está en mí, y yo en él, éste lleva mucho fruto; porque sin mí nada podéis hacer.
El que en mí no estuviere, será echado fuera como mal pámpano, y se secará; y los cogen, y los echan en el fuego, y arden.
Si estuviereis en mí, y mis palabras estuvieren en vosotros, pedid todo lo que quisiereis, y os será hecho.
En esto es glorificado mi Padre, en que llevéis mucho fruto, y seáis así mis discípulos.
Como el Padre me amó, también yo os he amado: estad en mi amor.
Si guardareis mis mandamientos, estaréis en mi amor; como yo también he guardado los mandamientos de mi Padre, y estoy en su amor.
Estas cosas os he hablado, para que mi gozo esté en vosotros, y vuestro gozo sea cumplido.
Este es mi mandamiento: Que os améis los unos á los otros, como yo os he amado.
Nadie tiene mayor amor que este, que ponga alguno su vida por sus amigos.
Vosotros sois mis amigos, si hiciereis las cosas que yo os mando.
Ya no os llamaré siervos, porque el siervo no sabe lo que hace su señor: mas os he llamado amigos, porque todas las cosas que oí de mi Padre, os he hecho notorias.
No me elegisteis vosotros á mí, mas yo os elegí á vosotros; y os he puesto para que vayáis y llevéis fruto, y vuestro fruto permanezca: para que todo lo que pidiereis del Padre en mi nombre, él os lo dé.
Esto os mando: Que os améis los unos á los otros.
Si el mundo os aborrece, sabed que á mí me aborreció antes que á vosotros.
Si fuerais del mundo, el mundo amaría lo suyo; mas porque no sois del mundo, antes yo os elegí del mundo, por eso os aborrece el mundo.
Acordaos de la palabra que yo os he dicho: No es el siervo mayor que su señor. Si á mí me han perseguido, también á vosotros perseguirán: si han guardado mi palabra, también guardarán la vuestra.
Mas todo esto os harán por causa de mi nombre, porque no conocen al que me ha enviado.
Si no hubiera venido, ni les hubiera hablado, no tendrían pecado, mas ahora no tienen excusa de su pecado.
El que me aborrece, también á mi Padre aborrece.
Si no hubiese hecho entre ellos obras cuales ningún otro ha hecho, no tendrían pecado; mas ahora, y las han visto, y me aborrecen á mí y á mi Padre.
Mas para que se cumpla la palabra que está escrita en su ley: Que sin causa me aborrecieron.
Empero cuando viniere el Consolador, el cual yo os enviaré del Padre, el Espíritu de verdad, el cual procede del Padre, él dará testimonio de mí.
Y vosotros daréis testimonio, porque estáis conmigo desde el principio.
ESTAS cosas os he hablado, para que no os escandalicéis.
Os echarán de las sinagogas; y aun viene la hora, cuando cualquiera que os matare, pensará que hace servicio á Dios.
Y estas cosas os harán, porque no conocen al Padre ni á mí.
Mas os he dicho esto, para que cuando aquella hora viniere, os acordéis que yo os lo había dicho. Esto empero no os lo dije al principio, porque yo estaba con vosotros.
Mas ahora voy al que me envió; y ninguno de vosotros me pregunta: ¿Adónde vas?
Antes, porque os he hablado estas cosas, tristeza ha henchido vuestro corazón.
Empero yo os digo la verdad: Os es necesario que yo vaya: porque si yo no fuese, el Consolador no vendría á vosotros; mas si yo fuere, os le enviaré.
Y cuando él viniere redargüirá al mundo de pecado, y de justicia, y de juicio:
De pecado ciertamente, por cuanto no creen en mí;
Y de justicia, por cuanto voy al Padre, y no me veréis más;
Y de juicio, por cuanto el príncipe de este mundo es juzgado.
Aun tengo muchas cosas que deciros, mas ahora no las podéis llevar.
Pero cuando viniere aquel Espíritu de verdad, él os guiará á toda verdad; porque no hablará de sí mismo, sino que hablará todo lo que oyere, y os hará saber las cosas que han de venir.
El me glorificará: porque tomará de lo mío, y os lo hará saber.
Todo lo que tiene el Padre, mío es: por eso dije que tomará de lo mío, y os lo hará saber.
Un poquito, y no me veréis; y otra vez un poquito, y me veréis: porque yo voy al Padre.
Entonces dijeron algunos de sus discípulos unos á otros: ¿Qué es esto que nos dice: Un poquito, y no me veréis; y otra vez un poquito, y me veréis: y, porque yo voy al Padre?
Decían pues: ¿Qué es esto que dice: Un poquito? No entendemos lo que habla.
Y conoció Jesús que le querían preguntar, y díjoles: ¿Preguntáis entre vosotros de esto que dije: Un poquito, y no me veréis, y otra vez un poquito, y me veréis?
De cierto, de cierto os digo, que vosotros lloraréis y lamentaréis, y el mundo se alegrará: empero aunque vosotros estaréis tristes, vuestra tristeza se tornará en gozo.
La mujer cuando pare, tiene dolor, porque es venida su hora; mas después que ha parido un niño, ya no se acuerda de la angustia, por el gozo de que haya nacido un hombre en el mundo.
También, pues, vosotros ahora ciertamente tenéis tristeza; mas otra vez os veré, y se gozará vuestro corazón, y nadie quitará de vosotros vuestro gozo.
Y aquel día no me preguntaréis nada. De cierto, de cierto os digo, que todo cuanto pidiereis al Padre en mi nombre, os lo dará.
Hasta ahora nada habéis pedido en mi nombre: pedid, y recibiréis, para que vuestro gozo sea cumplido.
Estas cosas os he hablado en proverbios: la hora viene cuando ya no os hablaré por proverbios, pero claramente os anunciaré del Padre.
Aquel día pediréis en mi nombre: y no os digo, que yo rogaré al Padre por vosotros;
Pues el mismo Padre os ama, porque vosotros me amasteis, y habéis creído que yo salí de Dios.
Salí del Padre, y he venido al mundo: otra vez dejo el mundo, y voy al Padre.
Dícenle sus discípulos: He aquí, ahora hablas claramente, y ningún proverbio dices.
Ahora entendemos que sabes todas las cosas, y no necesitas que nadie te pregunte: en esto creemos que has salido de Dios.
Respondióles Jesús: ¿Ahora creéis?
He aquí, la hora viene, y ha venido, que seréis esparcidos cada uno por su parte, y me dejaréis solo: mas no estoy solo, porque el Padre está conmigo.
Estas cosas os he hablado, para que en mí tengáis paz. En el mundo tendréis aflicción: mas confiad, yo he vencido al mundo.
ESTAS cosas habló Jesús, y levantados los ojos al cielo, dijo: Padre, la hora es llegada; glorifica á tu Hijo, para que también tu Hijo te glorifique á ti;
Como le has dado la potestad de toda carne, para que dé vida eterna á todos los que le diste.
Esta empero es la vida eterna: que te conozcan el solo Dios verdadero, y á Jesucristo, al cual has enviado.
Yo te he glorificado en la tierra: he acabado la obra que me diste que hiciese.
Ahora pues, Padre, glorifícame tú cerca de ti mismo con aquella gloria que tuve cerca de ti antes que el mundo fuese.
He manifestado tu nombre á los hombres que del mundo me diste: tuyos eran, y me los diste, y guardaron tu palabra.
Ahora han conocido que todas las cosas que me diste, son de ti;
Porque las palabras que me diste, les he dado; y ellos las recibieron, y han conocido verdaderamente que salí de ti, y han creído que tú me enviaste.
Yo ruego por ellos: no ruego por el mundo, sino por los que me diste; porque tuyos son:
Y todas mis cosas son tus cosas, y tus cosas son mis cosas: y he sido glorificado en ellas.
Y ya no estoy en el mundo; mas éstos están en el mundo, y yo á ti vengo. Padre santo, á los que me has dado, guárdalos por tu nombre, para que sean una cosa, como también nosotros.
Cuando estaba con ellos en el mundo, yo los guardaba en tu nombre; á los que me diste, yo los guardé, y ninguno de ellos se perdió, sino el hijo de perdición; para que la Escritura se cumpliese.
Mas ahora vengo á ti; y hablo esto en el mundo, para que tengan mi gozo cumplido en sí mismos.
Yo les he dado tu palabra; y el mundo los aborreció, porque no son del mundo, como tampoco yo soy del mundo.
No ruego que los quites del mundo, sino que los guardes del mal.
No son del mundo, como tampoco yo soy del mundo.
Santifícalos en tu verdad: tu palabra es verdad.
Como tú me enviaste al mundo, también los he enviado al mundo.
Y por ellos yo me santifico á mí mismo, para que también ellos sean santificados en verdad.
Mas no ruego solamente por éstos, sino también por los que han de creer en mí por la palabra de ellos.
Para que todos sean una cosa; como tú, oh Padre, en mí, y yo en ti, que también ellos sean en nosotros una cosa: para que el mundo crea que tú me enviaste.
Y yo, la gloria que me diste les he dado; para que sean una cosa, como también nosotros somos una cosa.
Yo en ellos, y tú en mí, para que sean consumadamente una cosa; que el mundo conozca que tú me enviaste, y que los has amado, como también á mí me has amado.
Padre, aquellos que me has dado, quiero que donde yo estoy, ellos estén también conmigo; para que vean mi gloria que me has dado: por cuanto me has amado desde antes de la constitución del mundo.
Padre justo, el mundo no te ha conocido, mas yo te he conocido; y éstos han conocido que tú me enviaste;
Y yo les he manifestado tu nombre, y manifestaré lo aún; para que el amor con que me has amado, esté en ellos, y yo en ellos.
COMO Jesús hubo dicho estas cosas, salióse con sus discípulos tras el arroyo de Cedrón, donde estaba un huerto, en el cual entró Jesús y sus discípulos.
Y también Judas, el que le entregaba, sabía aquel lugar; porque muchas veces Jesús se juntaba allí con sus discípulos.
Judas pues tomando una compañía, y ministros de los pontífices y de los Fariseos, vino allí con linternas y antorchas, y con armas.
Empero Jesús, sabiendo todas las cosas que habían de venir sobre él, salió delante, y díjoles: ¿A quién buscáis?
Respondiéronle: A Jesús Nazareno. Díceles Jesús: Yo soy. (Y estaba también con ellos Judas, el que le entregaba.)
Y como les dijo, Yo soy, volvieron atrás, y cayeron en tierra.
Volvióles, pues, á preguntar: ¿A quién buscáis? Y ellos dijeron: A Jesús Nazareno.
Respondió Jesús: Os he dicho que yo soy: pues si á mí buscáis, dejad ir á éstos.
Para que se cumpliese la palabra que había dicho: De los que me diste, ninguno de ellos perdí.
Entonces Simón Pedro, que tenía espada, sacóla, é hirió al siervo del pontífice, y le cortó la oreja derecha. Y el siervo se llamaba Malco.
Jesús entonces dijo á Pedro: Mete tu espada en la vaina: el vaso que el Padre me ha dado, ¿no lo tengo de beber?
Entonces la compañía y el tribuno, y los ministros de los Judíos, prendieron á Jesús y le ataron,
Y lleváronle primeramente á Anás; porque era suegro de Caifás, el cual era pontífice de aquel año.
Y era Caifás el que había dado el consejo á los Judíos, que era necesario que un hombre muriese por el pueblo.
Y seguía á Jesús Simón Pedro, y otro discípulo. Y aquel discípulo era conocido del pontífice, y entró con Jesús al atrio del pontífice;
Mas Pedro estaba fuera á la puerta. Y salió aquel discípulo que era conocido del pontífice, y habló á la portera, y metió dentro á Pedro.
Entonces la criada portera dijo á Pedro: ¿No eres tú también de los discípulos de este hombre? Dice él: No soy.
Y estaban en pie los siervos y los ministros que habían allegado las ascuas; porque hacía frío, y calentábanse: y estaba también con ellos Pedro en pie, calentándose.
Y el pontífice preguntó á Jesús acerca de sus discípulos y de su doctrina.
Jesús le respondió: Yo manifiestamente he hablado al mundo: yo siempre he enseñado en la sinagoga y en el templo, donde se juntan todos los Judíos, y nada he hablado en oculto.
¿Qué me preguntas á mí? Pregunta á los que han oído, qué les haya yo hablado: he aquí, ésos saben lo que yo he dicho.
Y como él hubo dicho esto, uno de los criados que estaba allí, dió una bofetada á Jesús, diciendo: ¿Así respondes al pontífice?
Respondióle Jesús: Si he hablado mal, da testimonio del mal: y si bien, ¿por qué me hieres?
Y Anás le había enviado atado á Caifás pontífice.
Estaba pues Pedro en pie calentándose. Y dijéronle: ¿No eres tú de sus discípulos? El negó, y dijo: No soy.
Uno de los siervos del pontífice, pariente de aquél á quien Pedro había cortado la oreja, le dice: ¿No te vi yo en el huerto con él?
Y negó Pedro otra vez: y luego el gallo cantó.
Y llevaron á Jesús de Caifás al pretorio: y era por la mañana: y ellos no entraron en el pretorio por no ser contaminados, sino que comiesen la pascua.
Entonces salió Pilato á ellos fuera, y dijo: ¿Qué acusación traéis contra este hombre?
Respondieron y dijéronle: Si éste no fuera malhechor, no te le habríamos entregado.
Díceles entonces Pilato: Tomadle vosotros, y juzgadle según vuestra ley. Y los Judíos le dijeron: A nosotros no es lícito matar á nadie:
Para que se cumpliese el dicho de Jesús, que había dicho, dando á entender de qué muerte había de morir.
Así que, Pilato volvió á entrar en el pretorio, y llamó á Jesús, y díjole: ¿Eres tú el Rey de los Judíos?
Respondióle Jesús: ¿Dices tú esto de ti mismo, ó te lo han dicho otros de mí?
Pilato respondió: ¿Soy yo Judío? Tu gente, y los pontífices, te han entregado á mí: ¿qué has hecho?
Respondió Jesús: Mi reino no es de este mundo: si de este mundo fuera mi reino, mis servidores pelearían para que yo no fuera entregado á los Judíos: ahora, pues, mi reino no es de aquí.
Díjole entonces Pilato: ¿Luego rey eres tú? Respondió Jesús: Tú dices que yo soy rey. Yo para esto he nacido, y para esto he venido al mundo, para dar testimonio á la verdad. Todo aquél que es de la verdad, oye mi voz.
Dícele Pilato: ¿Qué cosa es verdad? Y como hubo dicho esto, salió otra vez á los Judíos, y díceles: Yo no hallo en él ningún crimen.
Empero vosotros tenéis costumbre, que os suelte uno en la Pascua: ¿queréis, pues, que os suelte al Rey de los Judíos?
Entonces todos dieron voces otra vez, diciendo: No á éste, sino á Barrabás. Y Barrabás era ladrón.
ASÍ que, entonces tomó Pilato á Jesús, y le azotó.
Y los soldados entretejieron de espinas una corona, y pusiéronla sobre su cabeza, y le vistieron de una ropa de grana;
Y decían: ¡Salve, Rey de los Judíos! y dábanle de bofetadas.
Entonces Pilato salió otra vez fuera, y díjoles: He aquí, os le traigo fuera, para que entendáis que ningún crimen hallo en él.
Y salió Jesús fuera, llevando la corona de espinas y la ropa de grana. Y díceles Pilato: He aquí el hombre.
Y como le vieron los príncipes de los sacerdotes, y los servidores, dieron voces diciendo: Crucifícale, crucifícale. Díceles Pilato: Tomadle vosotros, y crucificadle; porque yo no hallo en él crimen.
Respondiéronle los Judíos: Nosotros tenemos ley, y según nuestra ley debe morir, porque se hizo Hijo de Dios.
Y como Pilato oyó esta palabra, tuvo más miedo.
Y entró otra vez en el pretorio, y dijo á Jesús: ¿De dónde eres tú? Mas Jesús no le dió respuesta.
Entonces dícele Pilato: ¿A mí no me hablas? ¿no sabes que tengo potestad para crucificarte, y que tengo potestad para soltarte?
Respondió Jesús: Ninguna potestad tendrías contra mí, si no te fuese dado de arriba: por tanto, el que á ti me ha entregado, mayor pecado tiene.
Desde entonces procuraba Pilato soltarle; mas los Judíos daban voces, diciendo: Si á éste sueltas, no eres amigo de César: cualquiera que se hace rey, á César contradice.
Entonces Pilato, oyendo este dicho, llevó fuera á Jesús, y se sentó en el tribunal en el lugar que se dice Lithóstrotos, y en hebreo Gabbatha.
Y era la víspera de la Pascua, y como la hora de sexta. Entonces dijo á los Judíos: He aquí vuestro Rey.
Mas ellos dieron voces: Quita, quita, crucifícale. Díceles Pilato: ¿A vuestro Rey he de crucificar? Respondieron los pontífices: No tenemos rey sino á César.
Así que entonces lo entregó á ellos para que fuese crucificado. Y tomaron á Jesús, y le llevaron.
Y llevando su cruz, salió al lugar que se dice de la Calavera, y en hebreo, Gólgotha;
Donde le crucificaron, y con él otros dos, uno á cada lado, y Jesús en medio.
Y escribió también Pilato un título, que puso encima de la cruz. Y el escrito era: JESUS NAZARENO, REY DE LOS JUDIOS.
Y muchos de los Judíos leyeron este título: porque el lugar donde estaba crucificado Jesús era cerca de la ciudad: y estaba escrito en hebreo, en griego, y en latín.
Y decían á Pilato los pontífices de los Judíos: No escribas, Rey de los Judíos: sino, que él dijo: Rey soy de los Judíos.
Respondió Pilato: Lo que he escrito, he escrito.
Y como los soldados hubieron crucificado á Jesús, tomaron sus vestidos, é hicieron cuatro partes (para cada soldado una parte); y la túnica; mas la túnica era sin costura, toda tejida desde arriba.
Y dijeron entre ellos: No la partamos, sino echemos suertes sobre ella, de quién será; para que se cumpliese la Escritura, que dice: Partieron para sí mis vestidos, y sobre mi vestidura echaron suertes. Y los soldados hicieron esto.
Y estaban junto á la cruz de Jesús su madre, y la hermana de su madre, María mujer de Cleofas, y María Magdalena.
Y como vió Jesús á la madre, y al discípulo que él amaba, que estaba presente, dice á su madre: Mujer, he ahí tu hijo.
Después dice al discípulo: He ahí tu madre. Y desde aquella hora el discípulo la recibió consigo.
Después de esto, sabiendo Jesús que todas las cosas eran ya cumplidas, para que la Escritura se cumpliese, dijo: Sed tengo.
Y estaba allí un vaso lleno de vinagre: entonces ellos hinchieron una esponja de vinagre, y rodeada á un hisopo, se la llegaron á la boca.
Y como Jesús tomó el vinagre, dijo: Consumado es. Y habiendo inclinado la cabeza, dió el espíritu.
Entonces los Judíos, por cuanto era la víspera de la Pascua, para que los cuerpos no quedasen en la cruz en el sábado, pues era el gran día del sábado, rogaron á Pilato que se les quebrasen las piernas, y fuesen quitados.
Y vinieron los soldados, y quebraron las piernas al primero, y asimismo al otro que había sido crucificado con él.
Mas cuando vinieron á Jesús, como le vieron ya muerto, no le quebraron las piernas:
Empero uno de los soldados le abrió el costado con una lanza, y luego salió sangre y agua.
Y el que lo vió, da testimonio, y su testimonio es verdadero: y él sabe que dice verdad, para que vosotros también creáis.
Porque estas cosas fueron hechas para que se cumpliese la Escritura: Hueso no quebrantaréis de él.
Y también otra Escritura dice: Mirarán al que traspasaron.
Después de estas cosas, José de Arimatea, el cual era discípulo de Jesús, mas secreto por miedo de los Judíos, rogó á Pilato que pudiera quitar el cuerpo de Jesús: y permitióselo Pilato. Entonces vino, y quitó el cuerpo de Jesús.
Y vino también Nicodemo, el que antes había venido á Jesús de noche, trayendo un compuesto de mirra y de áloes, como cien libras.
Tomaron pues el cuerpo de Jesús, y envolviéronlo en lienzos con especias, como es costumbre de los Judíos sepultar.
Y en aquel lugar donde había sido crucificado, había un huerto; y en el huerto un sepulcro nuevo, en el cual aun no había sido puesto ninguno.
Allí, pues, por causa de la víspera de la Pascua de los Judíos, porque aquel sepulcro estaba cerca, pusieron á Jesús.
Y EL primer día de la semana, María Magdalena vino de mañana, siendo aún obscuro, al sepulcro; y vió la piedra quitada del sepulcro.
Entonces corrió, y vino á Simón Pedro, y al otro discípulo, al cual amaba Jesús, y les dice: Han llevado al Señor del sepulcro, y no sabemos dónde le han puesto.
Y salió Pedro, y el otro discípulo, y vinieron al sepulcro.
Y corrían los dos juntos; mas el otro discípulo corrió más presto que Pedro, y llegó primero al sepulcro.
Y bajándose á mirar, vió los lienzos echados; mas no entró.
Llegó luego Simón Pedro siguiéndole, y entró en el sepulcro, y vió los lienzos echados,
Y el sudario, que había estado sobre su cabeza, no puesto con los lienzos, sino envuelto en un lugar aparte.
Y entonces entró también el otro discípulo, que había venido primero al sepulcro, y vió, y creyó.
Porque aun no sabían la Escritura, que era necesario que él resucitase de los muertos.
Y volvieron los discípulos á los suyos.
Empero María estaba fuera llorando junto al sepulcro: y estando llorando, bajóse á mirar el sepulcro;
Y vió dos ángeles en ropas blancas que estaban sentados, el uno á la cabecera, y el otro á los pies, donde el cuerpo de Jesús había sido puesto.
Y dijéronle: Mujer, ¿por qué lloras? Díceles: Porque se han llevado á mi Señor, y no sé dónde le han puesto.
Y como hubo dicho esto, volvióse atrás, y vió á Jesús que estaba allí; mas no sabía que era Jesús.
Dícele Jesús: Mujer, ¿por qué lloras? ¿á quién buscas? Ella, pensando que era el hortelano, dícele: Señor, si tú lo has llevado, dime dónde lo has puesto, y yo lo llevaré.
Dícele Jesús: ¡María! Volviéndose ella, dícele: ¡Rabboni! que quiere decir, Maestro.
Dícele Jesús: No me toques: porque aun no he subido á mi Padre: mas ve á mis hermanos, y diles: Subo á mi Padre y á vuestro Padre, á mi Dios y á vuestro Dios.
Fué María Magdalena dando las nuevas á los discípulos de que había visto al Señor, y que él le había dicho estas cosas.
Y como fué tarde aquel día, el primero de la semana, y estando las puertas cerradas donde los discípulos estaban juntos por miedo de los Judíos, vino Jesús, y púsose en medio, y díjoles: Paz á vosotros.
Y como hubo dicho esto, mostróles las manos y el costado. Y los discípulos se gozaron viendo al Señor.
Entonces les dijo Jesús otra vez: Paz á vosotros; como me envió el Padre, así también yo os envío.
Y como hubo dicho esto, sopló, y díjoles: Tomad el Espíritu Santo:
A los que remitiereis los pecados, les son remitidos: á quienes los retuviereis, serán retenidos.
Empero Tomás, uno de los doce, que se dice el Dídimo, no estaba con ellos cuando Jesús vino.
Dijéronle pues los otros discípulos: Al Señor hemos visto. Y él les dijo: Si no viere en sus manos la señal de los clavos, y metiere mi dedo en el lugar de los clavos, y metiere mi mano en su costado, no creeré.
Y ocho días después, estaban otra vez sus discípulos dentro, y con ellos Tomás. Vino Jesús, las puertas cerradas, y púsose en medio, y dijo: Paz á vosotros.
Luego dice á Tomás: Mete tu dedo aquí, y ve mis manos: y alarga acá tu mano, y métela en mi costado: y no seas incrédulo, sino fiel.
Entonces Tomás respondió, y díjole: ¡Señor mío, y Dios mío!
Dícele Jesús: Porque me has visto, Tomás, creiste: bienaventurados los que no vieron y creyeron.
Y también hizo Jesús muchas otras señales en presencia de sus discípulos, que no están escritas en este libro.
Estas empero son escritas, para que creáis que Jesús es el Cristo, el Hijo de Dios; y para que creyendo, tengáis vida en su nombre.
DESPUÉS se manifestó Jesús otra vez á sus discípulos en la mar de Tiberias; y manifestóse de esta manera.
Estaban juntos Simón Pedro, y Tomás, llamado el Dídimo, y Natanael, el que era de Caná de Galilea, y los hijos de Zebedeo, y otros dos de sus discípulos.
Díceles Simón: A pescar voy. Dícenle: Vamos nosotros también contigo. Fueron, y subieron en una barca; y aquella noche no cogieron nada.
Y venida la mañana, Jesús se puso á la ribera: mas los discípulos no entendieron que era Jesús.
Y díjoles: Mozos, ¿tenéis algo de comer? Respondiéronle: No.
Y él les dice: Echad la red á la mano derecha del barco, y hallaréis. Entonces la echaron, y no la podían en ninguna manera sacar, por la multitud de los peces.
Entonces aquel discípulo, al cual amaba Jesús, dijo á Pedro: El Señor es. Y Simón Pedro, como oyó que era el Señor, ciñóse la ropa, porque estaba desnudo, y echóse á la mar.
Y los otros discípulos vinieron con el barco (porque no estaban lejos de tierra sino como doscientos codos), trayendo la red de peces.
Y como descendieron á tierra, vieron ascuas puestas, y un pez encima de ellas, y pan.
Díceles Jesús: Traed de los peces que cogisteis ahora.
Subió Simón Pedro, y trajo la red á tierra, llena de grandes peces, ciento cincuenta y tres: y siendo tantos, la red no se rompió.
Díceles Jesús: Venid, comed. Y ninguno de los discípulos osaba preguntarle: ¿Tú, quién eres? sabiendo que era el Señor.
Viene pues Jesús, y toma el pan, y les da; y asimismo del pez.
Esta era ya la tercera vez que Jesús se manifestó á sus discípulos, habiendo resucitado de los muertos.
Y cuando hubieron comido, Jesús dijo á Simón Pedro: Simón, hijo de Jonás, ¿me amas más que éstos? Dícele: Sí, Señor: tú sabes que te amo. Dícele: Apacienta mis corderos.
Vuélvele á decir la segunda vez: Simón, hijo de Jonás, ¿me amas? Respóndele: Sí, Señor: tú sabes que te amo. Dícele: Apacienta mis ovejas.
Dícele la tercera vez: Simón, hijo de Jonás, ¿me amas? Entristecióse Pedro de que le dijese la tercera vez: ¿Me amas? y dícele: Señor, tú sabes todas las cosas; tú sabes que te amo. Dícele Jesús: Apacienta mis ovejas.
De cierto, de cierto te digo: Cuando eras más mozo, te ceñías, é ibas donde querías; mas cuando ya fueres viejo, extenderás tus manos, y te ceñirá otro, y te llevará á donde no quieras.
Y esto dijo, dando á entender con qué muerte había de glorificar á Dios. Y dicho esto, dícele: Sígueme.
Volviéndose Pedro, ve á aquel discípulo al cual amaba Jesús, que seguía, el que también se había recostado á su pecho en la cena, y le había dicho: Señor, ¿quién es el que te ha de entregar?
Así que Pedro vió á éste, dice á Jesús: Señor, ¿y éste, qué?
Dícele Jesús: Si quiero que él quede hasta que yo venga, ¿qué á tí? Sígueme tú.
Salió entonces este dicho entre los hermanos, que aquel discípulo no había de morir. Mas Jesús no le dijo, No morirá; sino: Si quiero que él quede hasta que yo venga ¿qué á ti?
Este es aquel discípulo que da testimonio de estas cosas, y escribió estas cosas: y sabemos que su testimonio es verdadero.
Y hay también otras muchas cosas que hizo Jesús, que si se escribiesen cada una por sí, ni aun en el mundo pienso que cabrían los libros que se habrían de escribir. Amén.
PABLO, siervo de Jesucristo, llamado á ser apóstol, apartado para el evangelio de Dios,
Que él había antes prometido por sus profetas en las santas Escrituras,
Acerca de su Hijo, (que fué hecho de la simiente de David según la carne;
El cual fué declarado Hijo de Dios con potencia, según el espíritu de santidad, por la resurrección de los muertos), de Jesucristo Señor nuestro,
Por el cual recibimos la gracia y el apostolado, para la obediencia de la fe en todas las naciones en su nombre,
Entre las cuales sois también vosotros, llamados de Jesucristo:
A todos los que estáis en Roma, amados de Dios, llamados santos: Gracia y paz tengáis de Dios nuestro Padre, y del Señor Jesucristo.
Primeramente, doy gracias á mi Dios por Jesucristo acerca de todos vosotros, de que vuestra fe es predicada en todo el mundo.
Porque testigo me es Dios, al cual sirvo en mi espíritu en el evangelio de su Hijo, que sin cesar me acuerdo de vosotros siempre en mis oraciones,
Rogando, si al fin algún tiempo haya de tener, por la voluntad de Dios, próspero viaje para ir á vosotros.
Porque os deseo ver, para repartir con vosotros algún don espiritual, para confirmaros;
Es á saber, para ser juntamente consolado con vosotros por la común fe vuestra y juntamente mía.
Mas no quiero, hermanos, que ignoréis que muchas veces me he propuesto ir á vosotros (empero hasta ahora he sido estorbado), para tener también entre vosotros algún fruto, como entre los demás Gentiles.
A Griegos y á bárbaros, á sabios y á no sabios soy deudor.
Así que, cuanto á mí, presto estoy á anunciar el evangelio también á vosotros que estáis en Roma.
Porque no me avergüenzo del evangelio: porque es potencia de Dios para salud á todo aquel que cree; al Judío primeramente y también al Griego.
Porque en él la justicia de Dios se descubre de fe en fe; como está escrito: Mas el justo vivirá por la fe.
Porque manifiesta es la ira de Dios del cielo contra toda impiedad é injusticia de los hombres, que detienen la verdad con injusticia:
Porque lo que de Dios se conoce, á ellos es manifiesto; porque Dios se lo manifestó.
Porque las cosas invisibles de él, su eterna potencia y divinidad, se echan de ver desde la creación del mundo, siendo entendidas por las cosas que son hechas; de modo que son inexcusables:
Porque habiendo conocido á Dios, no le glorificaron como á Dios, ni dieron gracias; antes se desvanecieron en sus discursos, y el necio corazón de ellos fué entenebrecido.
Diciéndose ser sabios, se hicieron fatuos,
Y trocaron la gloria del Dios incorruptible en semejanza de imagen de hombre corruptible, y de aves, y de animales de cuatro pies, y de serpientes.
Por lo cual también Dios los entregó á inmundicia, en las concupiscencias de sus corazones, de suerte que contaminaron sus cuerpos entre sí mismos:
Los cuales mudaron la verdad de Dios en mentira, honrando y sirviendo á las criaturas antes que al Criador, el cual es bendito por los siglos. Amén.
Por esto Dios los entregó á afectos vergonzosos; pues aun sus mujeres mudaron el natural uso en el uso que es contra naturaleza:
Y del mismo modo también los hombres, dejando el uso natural de las mujeres, se encendieron en sus concupiscencias los unos con los otros, cometiendo cosas nefandas hombres con hombres, y recibiendo en sí mismos la recompensa que convino á su extravío.
Y como á ellos no les pareció tener á Dios en su noticia, Dios los entregó á una mente depravada, para hacer lo que no conviene,
Estando atestados de toda iniquidad, de fornicación, de malicia, de avaricia, de maldad; llenos de envidia, de homicidios, de contiendas, de engaños, de malignidades;
Murmuradores, detractores, aborrecedores de Dios, injuriosos, soberbios, altivos, inventores de males, desobedientes á los padres,
Necios, desleales, sin afecto natural, implacables, sin misericordia:
Que, habiendo entendido el juicio de Dios que los que hacen tales cosas son dignos de muerte, no sólo las hacen, mas aun consienten á los que las hacen.
POR lo cual eres inexcusable, oh hombre, cualquiera que juzgas: porque en lo que juzgas á otro, te condenas á ti mismo; porque lo mismo haces, tú que juzgas.
Mas sabemos que el juicio de Dios es según verdad contra los que hacen tales cosas.
¿Y piensas esto, oh hombre, que juzgas á los que hacen tales cosas, y haces las mismas, que tú escaparás del juicio de Dios?
¿O menosprecias las riquezas de su benignidad, y paciencia, y longanimidad, ignorando que su benignidad te guía á arrepentimiento?
Mas por tu dureza, y por tu corazón no arrepentido, atesoras para ti mismo ira para el día de la ira y de la manifestación del justo juicio de Dios;
El cual pagará á cada uno conforme á sus obras:
A los que perseverando en bien hacer, buscan gloria y honra é inmortalidad, la vida eterna.
Mas á los que son contenciosos, y no obedecen á la verdad, antes obedecen á la injusticia, enojo é ira;
Tribulación y angustia sobre toda persona humana que obra lo malo, el Judío primeramente, y también el Griego:
Mas gloria y honra y paz á cualquiera que obra el bien, al Judío primeramente, y también al Griego.
Porque no hay acepción de personas para con Dios.
Porque todos los que sin ley pecaron, sin ley también perecerán; y todos los que en la ley pecaron, por la ley serán juzgados:
Porque no los oidores de la ley son justos para con Dios, mas los hacedores de la ley serán justificados.
Porque los Gentiles que no tienen ley, naturalmente haciendo lo que es de la ley, los tales, aunque no tengan ley, ellos son ley á sí mismos:
Mostrando la obra de la ley escrita en sus corazones, dando testimonio juntamente sus conciencias, y acusándose y también excusándose sus pensamientos unos con otros;
En el día que juzgará el Señor lo encubierto de los hombres, conforme á mi evangelio, por Jesucristo.
He aquí, tú tienes el sobrenombre de Judío, y estás reposado en la ley, y te glorías en Dios,
Y sabes su voluntad, y apruebas lo mejor, instruído por la ley;
Y confías que eres guía de los ciegos, luz de los que están en tinieblas,
Enseñador de los que no saben, maestro de niños, que tienes la forma de la ciencia y de la verdad en la ley:
Tú pues, que enseñas á otro, ¿no te enseñas á ti mismo? ¿Tú, que predicas que no se ha de hurtar, hurtas?
¿Tú, que dices que no se ha de adulterar, adulteras? ¿Tú, que abominas los ídolos, cometes sacrilegio?
¿Tú, que te jactas de la ley, con infracción de la ley deshonras á Dios?
Porque el nombre de Dios es blasfemado por causa de vosotros entre los Gentiles, como está escrito.
Porque la circuncisión en verdad aprovecha, si guardares la ley; mas si eres rebelde á la ley, tu circuncisión es hecha incircuncisión.
De manera que, si el incircunciso guardare las justicias de la ley, ¿no será tenida su incircuncisión por circuncisión?
Y lo que de su natural es incircunciso, guardando perfectamente la ley, te juzgará á ti, que con la letra y con la circuncisión eres rebelde á la ley.
Porque no es Judío el que lo es en manifiesto; ni la circuncisión es la que es en manifiesto en la carne:
Mas es Judío el que lo es en lo interior; y la circuncisión es la del corazón, en espíritu, no en letra; la alabanza del cual no es de los hombres, sino de Dios.
¿QUÉ, pues, tiene más el Judío? ¿ó qué aprovecha la circuncisión?
Mucho en todas maneras. Lo primero ciertamente, que la palabra de Dios les ha sido confiada.
¿Pues qué si algunos de ellos han sido incrédulos? ¿la incredulidad de ellos habrá hecho vana la verdad de Dios?
En ninguna manera; antes bien sea Dios verdadero, mas todo hombre mentiroso; como está escrito: Para que seas justificado en tus dichos, y venzas cuando de ti se juzgare.
Y si nuestra iniquidad encarece la justicia de Dios, ¿qué diremos? ¿Será injusto Dios que da castigo? (hablo como hombre.)
En ninguna manera: de otra suerte ¿cómo juzgaría Dios el mundo?
Empero si la verdad de Dios por mi mentira creció á gloria suya, ¿por qué aun así yo soy juzgado como pecador?
¿Y por qué no decir (como somos blasfemados, y como algunos dicen que nosotros decimos): Hagamos males para que vengan bienes? la condenación de los cuales es justa.
¿Qué pues? ¿Somos mejores que ellos? En ninguna manera: porque ya hemos acusado á Judíos y á Gentiles, que todos están debajo de pecado.
Como está escrito: No hay justo, ni aun uno;
No hay quien entienda, no hay quien busque á Dios;
Todos se apartaron, á una fueron hechos inútiles; no hay quien haga lo bueno, no hay ni aun uno:
Sepulcro abierto es su garganta; con sus lenguas tratan engañosamente; veneno de áspides está debajo de sus labios;
Cuya boca está llena de maledicencia y de amargura;
Sus pies son ligeros á derramar sangre;
Quebrantamiento y desventura hay en sus caminos;
Y camino de paz no conocieron:
No hay temor de Dios delante de sus ojos.
Empero sabemos que todo lo que la ley dice, á los que están en la ley lo dice, para que toda boca se tape, y que todo el mundo se sujete á Dios:
Porque por las obras de la ley ninguna carne se justificará delante de él; porque por la ley es el conocimiento del pecado.
Mas ahora, sin la ley, la justicia de Dios se ha manifestado, testificada por la ley y por los profetas:
La justicia de Dios por la fe de Jesucristo, para todos los que creen en él; porque no hay diferencia;
Por cuanto todos pecaron, y están destituídos de la gloria de Dios;
Siendo justificados gratuitamente por su gracia, por la redención que es en Cristo Jesús;
Al cual Dios ha propuesto en propiciación por la fe en su sangre, para manifestación de su justicia, atento á haber pasado por alto, en su paciencia, los pecados pasados,
Con la mira de manifestar su justicia en este tiempo: para que él sea el justo, y el que justifica al que es de la fe de Jesús.
¿Dónde pues está la jactancia? Es excluída. ¿Por cuál ley? ¿de las obras? No; mas por la ley de la fe.
Así que, concluímos ser el hombre justificado por fe sin las obras de la ley.
¿Es Dios solamente Dios de los Judíos? ¿No es también Dios de los Gentiles? Cierto, también de los Gentiles.
Porque uno es Dios, el cual justificará por la fe la circuncisión, y por medio de la fe la incircuncisión.
¿Luego deshacemos la ley por la fe? En ninguna manera; antes establecemos la ley.
¿QUÉ, pues, diremos que halló Abraham nuestro padre según la carne?
Que si Abraham fué justificado por la obras, tiene de qué gloriarse; mas no para con Dios.
Porque ¿qué dice la Escritura? Y creyó Abraham á Dios, y le fué atribuído á justicia.
Empero al que obra, no se le cuenta el salario por merced, sino por deuda.
Mas al que no obra, pero cree en aquél que justifica al impío, la fe le es contada por justicia.
Como también David dice ser bienaventurado el hombre al cual Dios atribuye justicia sin obras,
Diciendo: Bienaventurados aquellos cuyas iniquidades son perdonadas, y cuyos pecados son cubiertos.
Bienaventurado el varón al cual el Señor no imputó pecado.
¿Es pues esta bienaventuranza solamente en la circuncisión, ó también en la incircuncisión? porque decimos que á Abraham fué contada la fe por justicia.
¿Cómo pues le fué contada? ¿en la circuncisión, ó en la incircuncisión? No en la circuncisión, sino en la incircuncisión.
Y recibió la circuncisión por señal, por sello de la justicia de la fe que tuvo en la incircuncisión: para que fuese padre de todos los creyentes no circuncidados, para que también á ellos les sea contado por justicia;
Y padre de la circuncisión, no solamente á los que son de la circuncisión, mas también á los que siguen las pisadas de la fe que fué en nuestro padre Abraham antes de ser circuncidado.
Porque no por la ley fué dada la promesa á Abraham ó á su simiente, que sería heredero del mundo, sino por la justicia de la fe.
Porque si los que son de la ley son los herederos, vana es la fe, y anulada es la promesa.
Porque la ley obra ira; porque donde no hay ley, tampoco hay transgresión.
Por tanto es por la fe, para que sea por gracia; para que la promesa sea firme á toda simiente, no solamente al que es de la ley, mas también al que es de la fe de Abraham, el cual es padre de todos nosotros,
(Como está escrito: Que por padre de muchas gentes te he puesto) delante de Dios, al cual creyó; el cual da vida á los muertos, y llama las cosas que no son, como las que son.
El creyó en esperanza contra esperanza, para venir á ser padre de muchas gentes, conforme á lo que le había sido dicho: Así será tu simiente.
Y no se enflaqueció en la fe, ni consideró su cuerpo ya muerto (siendo ya de casi cien años), ni la matriz muerta de Sara;
Tampoco en la promesa de Dios dudó con desconfianza: antes fué esforzado en fe, dando gloria á Dios,
Plenamente convencido de que todo lo que había prometido, era también poderoso para hacerlo.
Por lo cual también le fué atribuído á justicia.
Y no solamente por él fué escrito que le haya sido imputado;
Sino también por nosotros, á quienes será imputado, esto es, á los que creemos en el que levantó de los muertos á Jesús Señor nuestro,
El cual fué entregado por nuestros delitos, y resucitado para nuestra justificación.
JUSTIFICADOS pues por la fe, tenemos paz para con Dios por medio de nuestro Señor Jesucristo:
Por el cual también tenemos entrada por la fe á esta gracia en la cual estamos firmes, y nos gloriamos en la esperanza de la gloria de Dios.
Y no sólo esto, mas aun nos gloriamos en las tribulaciones, sabiendo que la tribulación produce paciencia;
Y la paciencia, prueba; y la prueba, esperanza;
Y la esperanza no avergüenza; porque el amor de Dios está derramado en nuestros corazones por el Espíritu Santo que nos es dado.
Porque Cristo, cuando aun éramos flacos, á su tiempo murió por los impíos.
Ciertamente apenas muere alguno por un justo: con todo podrá ser que alguno osara morir por el bueno.
Mas Dios encarece su caridad para con nosotros, porque siendo aún pecadores, Cristo murió por nosotros.
Luego mucho más ahora, justificados en su sangre, por él seremos salvos de la ira.
Porque si siendo enemigos, fuimos reconciliados con Dios por la muerte de su Hijo, mucho más, estando reconciliados, seremos salvos por su vida.
Y no sólo esto, mas aun nos gloriamos en Dios por el Señor nuestro Jesucristo, por el cual hemos ahora recibido la reconciliación.
De consiguiente, vino la reconciliación por uno, así como el pecado entró en el mundo por un hombre, y por el pecado la muerte, y la muerte así pasó á todos los hombres, pues que todos pecaron.
Porque hasta la ley, el pecado estaba en el mundo; pero no se imputa pecado no habiendo ley.
No obstante, reinó la muerte desde Adam hasta Moisés, aun en los que no pecaron á la manera de la rebelión de Adam; el cual es figura del que había de venir.
Mas no como el delito, tal fué el don: porque si por el delito de aquel uno murieron los muchos, mucho más abundó la gracia de Dios á los muchos, y el don por la gracia de un hombre, Jesucristo.
Ni tampoco de la manera que por un pecado, así también el don: porque el juicio á la verdad vino de un pecado para condenación, mas la gracia vino de muchos delitos para justificación.
Porque, si por un delito reinó la muerte por uno, mucho más reinarán en vida por un Jesucristo los que reciben la abundancia de la gracia, y del don de la justicia.
Así que, de la manera que por un delito vino la culpa á todos los hombres para condenación, así por una justicia vino la gracia á todos los hombres para justificación de vida.
Porque como por la desobediencia de un hombre los muchos fueron constituídos pecadores, así por la obediencia de uno los muchos serán constituídos justos.
La ley empero entró para que el pecado creciese; mas cuando el pecado creció, sobrepujó la gracia;
Para que, de la manera que el pecado reinó para muerte, así también la gracia reine por la justicia para vida eterna por Jesucristo Señor nuestro.
¿PUES qué diremos? Perseveraremos en pecado para que la gracia crezca?
En ninguna manera. Porque los que somos muertos al pecado, ¿cómo viviremos aún en él?
¿O no sabéis que todos los que somos bautizados en Cristo Jesús, somos bautizados en su muerte?
Porque somos sepultados juntamente con él á muerte por el bautismo; para que como Cristo resucitó de los muertos por la gloria del Padre, así también nosotros andemos en novedad de vida.
Porque si fuimos plantados juntamente en él á la semejanza de su muerte, así también lo seremos á la de su resurrección:
Sabiendo esto, que nuestro viejo hombre juntamente fué crucificado con él, para que el cuerpo del pecado sea deshecho, á fin de que no sirvamos más al pecado.
Porque el que es muerto, justificado es del pecado.
Y si morimos con Cristo, creemos que también viviremos con él;
Sabiendo que Cristo, habiendo resucitado de entre los muertos, ya no muere: la muerte no se enseñoreará más de él.
Porque el haber muerto, al pecado murió una vez; mas el vivir, á Dios vive.
Así también vosotros, pensad que de cierto estáis muertos al pecado, mas vivos á Dios en Cristo Jesús Señor nuestro.
No reine, pues, el pecado en vuestro cuerpo mortal, para que le obedezcáis en sus concupiscencias;
Ni tampoco presentéis vuestros miembros al pecado por instrumentos de iniquidad; antes presentaos á Dios como vivos de los muertos, y vuestros miembros á Dios por instrumentos de justicia.
Porque el pecado no se enseñoreará de vosotros; pues no estáis bajo la ley, sino bajo la gracia.
¿Pues qué? ¿Pecaremos, porque no estamos bajo de la ley, sino bajo de la gracia? En ninguna manera.
¿No sabéis que á quien os prestáis vosotros mismos por siervos para obedecerle, sois siervos de aquel á quien obedecéis, ó del pecado para muerte, ó de la obediencia para justicia?
Empero gracias á Dios, que aunque fuisteis siervos del pecado, habéis obedecido de corazón á aquella forma de doctrina á la cual sois entregados;
Y libertados del pecado, sois hechos siervos de la justicia.
Humana cosa digo, por la flaqueza de vuestra carne: que como para iniquidad presentasteis vuestros miembros á servir á la inmundicia y á la iniquidad, así ahora para santidad presentéis vuestros miembros á servir á la justicia.
Porque cuando fuisteis siervos del pecado, erais libres acerca de la justicia.
¿Qué fruto, pues, teníais de aquellas cosas de las cuales ahora os avergonzáis? porque el fin de ellas es muerte.
Mas ahora, librados del pecado, y hechos siervos á Dios, tenéis por vuestro fruto la santificación, y por fin la vida eterna.
Porque la paga del pecado es muerte: mas la dádiva de Dios es vida eterna en Cristo Jesús Señor nuestro.
¿IGNORÁIS, hermanos, (porque hablo con los que saben la ley) que la ley se enseñorea del hombre entre tanto que vive?
Porque la mujer que está sujeta á marido, mientras el marido vive está obligada á la ley; mas muerto el marido, libre es de la ley del marido.
Así que, viviendo el marido, se llamará adúltera si fuere de otro varón; mas si su marido muriere, es libre de la ley; de tal manera que no será adúltera si fuere de otro marido.
Así también vosotros, hermanos míos, estáis muertos á la ley por el cuerpo de Cristo, para que seáis de otro, á saber, del que resucitó de los muertos, á fin de que fructifiquemos á Dios.
Porque mientras estábamos en la carne, los afectos de los pecados que eran por la ley, obraban en nuestros miembros fructificando para muerte.
Mas ahora estamos libres de la ley, habiendo muerto á aquella en la cual estábamos detenidos, para que sirvamos en novedad de espíritu, y no en vejez de letra.
¿Qué pues diremos? ¿La ley es pecado? En ninguna manera. Empero yo no conocí el pecado sino por la ley: porque tampoco conociera la concupiscencia, si la ley no dijera: No codiciarás.
Mas el pecado, tomando ocasión, obró en mí por el mandamiento toda concupiscencia: porque sin la ley el pecado está muerto.
Así que, yo sin la ley vivía por algún tiempo: mas venido el mandamiento, el pecado revivió, y yo morí.
Y hallé que el mandamiento, intimado para vida, para mí era mortal:
Porque el pecado, tomando ocasión, me engañó por el mandamiento, y por él me mató.
De manera que la ley á la verdad es santa, y el mandamiento santo, y justo, y bueno.
¿Luego lo que es bueno, á mí me es hecho muerte? No; sino que el pecado, para mostrarse pecado, por lo bueno me obró la muerte, haciéndose pecado sobremanera pecante por el mandamiento.
Porque sabemos que la ley es espiritual; mas yo soy carnal, vendido á sujeción del pecado.
Porque lo que hago, no lo entiendo; ni lo que quiero, hago; antes lo que aborrezco, aquello hago.
Y si lo que no quiero, esto hago, apruebo que la ley es buena.
De manera que ya no obro aquello, sino el pecado que mora en mí.
Y yo sé que en mí (es á saber, en mi carne) no mora el bien: porque tengo el querer, mas efectuar el bien no lo alcanzo.
Porque no hago el bien que quiero; mas el mal que no quiero, éste hago.
Y si hago lo que no quiero, ya no lo obro yo, sino el pecado que mora en mí.
Así que, queriendo yo hacer el bien, hallo esta ley: Que el mal está en mí.
Porque según el hombre interior, me deleito en la ley de Dios:
Mas veo otra ley en mis miembros, que se rebela contra la ley de mi espíritu, y que me lleva cautivo á la ley del pecado que está en mis miembros.
¡Miserable hombre de mí! ¿quién me librará del cuerpo de esta muerte?
Gracias doy á Dios, por Jesucristo Señor nuestro. Así que, yo mismo con la mente sirvo á la ley de Dios, mas con la carne á la ley del pecado.
AHORA pues, ninguna condenación hay para los que están en Cristo Jesús, los que no andan conforme á la carne, mas conforme al espíritu.
Porque la ley del Espíritu de vida en Cristo Jesús me ha librado de la ley del pecado y de la muerte.
Porque lo que era imposible á la ley, por cuanto era débil por la carne, Dios enviando á su Hijo en semejanza de carne de pecado, y á causa del pecado, condenó al pecado en la carne;
Para que la justicia de la ley fuese cumplida en nosotros, que no andamos conforme á la carne, mas conforme al espíritu.
Porque los que viven conforme á la carne, de las cosas que son de la carne se ocupan; mas los que conforme al espíritu, de las cosas del espíritu.
Porque la intención de la carne es muerte; mas la intención del espíritu, vida y paz:
Por cuanto la intención de la carne es enemistad contra Dios; porque no se sujeta á la ley de Dios, ni tampoco puede.
Así que, los que están en la carne no pueden agradar á Dios.
Mas vosotros no estáis en la carne, sino en el espíritu, si es que el Espíritu de Dios mora en vosotros. Y si alguno no tiene el Espíritu de Cristo, el tal no es de él.
Empero si Cristo está en vosotros, el cuerpo á la verdad está muerto á causa del pecado; mas el espíritu vive á causa de la justicia.
Y si el Espíritu de aquel que levantó de los muertos á Jesús mora en vosotros, el que levantó á Cristo Jesús de los muertos, vivificará también vuestros cuerpos mortales por su Espíritu que mora en vosotros.
Así que, hermanos, deudores somos, no á la carne, para que vivamos conforme á la carne:
Porque si viviereis conforme á la carne, moriréis; mas si por el espíritu mortificáis las obras de la carne, viviréis.
Porque todos los que son guiados por el Espíritu de Dios, los tales son hijos de Dios.
Porque no habéis recibido el espíritu de servidumbre para estar otra vez en temor; mas habéis recibido el espíritu de adopción, por el cual clamamos, Abba, Padre.
Porque el mismo Espíritu da testimonio á nuestro espíritu que somos hijos de Dios.
Y si hijos, también herederos; herederos de Dios, y coherederos de Cristo; si empero padecemos juntamente con él, para que juntamente con él seamos glorificados.
Porque tengo por cierto que lo que en este tiempo se padece, no es de comparar con la gloria venidera que en nosotros ha de ser manifestada.
Porque el continuo anhelar de las criaturas espera la manifestación de los hijos de Dios.
Porque las criaturas sujetas fueron á vanidad, no de grado, mas por causa del que las sujetó con esperanza,
Que también las mismas criaturas serán libradas de la servidumbre de corrupción en la libertad gloriosa de los hijos de Dios.
Porque sabemos que todas las criaturas gimen á una, y á una están de parto hasta ahora.
Y no sólo ellas, mas también nosotros mismos, que tenemos las primicias del Espíritu, nosotros también gemimos dentro de nosotros mismos, esperando la adopción, es á saber, la redención de nuestro cuerpo.
Porque en esperanza somos salvos; mas la esperanza que se ve, no es esperanza; porque lo que alguno ve, ¿á qué esperarlo?
Empero si lo que no vemos esperamos, por paciencia esperamos.
Y asimismo también el Espíritu ayuda nuestra flaqueza: porque qué hemos de pedir como conviene, no lo sabemos; sino que el mismo Espíritu pide por nosotros con gemidos indecibles.
Mas el que escudriña los corazones, sabe cuál es el intento del Espíritu, porque conforme á la voluntad de Dios, demanda por los santos.
Y sabemos que á los que á Dios aman, todas las cosas les ayudan á bien, es á saber, á los que conforme al propósito son llamados.
Porque á los que antes conoció, también predestinó para que fuesen hechos conformes á la imagen de su Hijo, para que él sea el primogénito entre muchos hermanos;
Y á los que predestinó, á éstos también llamó; y á los que llamó, á éstos también justificó; y á los que justificó, á éstos también glorificó.
¿Pues qué diremos á esto? Si Dios por nosotros, ¿quién contra nosotros?
El que aun á su propio Hijo no perdonó, antes le entregó por todos nosotros, ¿cómo no nos dará también con él todas las cosas?
¿Quién acusará á los escogidos de Dios? Dios es el que justifica.
¿Quién es el que condenará? Cristo es el que murió; más aún, el que también resucitó, quien además está á la diestra de Dios, el que también intercede por nosotros.
¿Quién nos apartará del amor de Cristo? tribulación? ó angustia? ó persecución? ó hambre? ó desnudez? ó peligro? ó cuchillo?
Como está escrito: Por causa de ti somos muertos todo el tiempo: somos estimados como ovejas de matadero.
Antes, en todas estas cosas hacemos más que vencer por medio de aquel que nos amó.
Por lo cual estoy cierto que ni la muerte, ni la vida, ni ángeles, ni principados, ni potestades, ni lo presente, ni lo por venir,
Ni lo alto, ni lo bajo, ni ninguna criatura nos podrá apartar del amor de Dios, que es en Cristo Jesús Señor nuestro.
VERDAD digo en Cristo, no miento, dándome testimonio mi conciencia en el Espíritu Santo,
Que tengo gran tristeza y continuo dolor en mi corazón.
Porque deseara yo mismo ser apartado de Cristo por mis hermanos, los que son mis parientes según la carne;
Que son israelitas, de los cuales es la adopción, y la gloria, y el pacto, y la data de la ley, y el culto, y las promesas;
Cuyos son los padres, y de los cuales es Cristo según la carne, el cual es Dios sobre todas las cosas, bendito por los siglos. Amén.
No empero que la palabra de Dios haya faltado: porque no todos los que son de Israel son Israelitas;
Ni por ser simiente de Abraham, son todos hijos; mas: En Isaac te será llamada simiente.
Quiere decir: No los que son hijos de la carne, éstos son los hijos de Dios; mas los que son hijos de la promesa, son contados en la generación.
Porque la palabra de la promesa es esta: Como en este tiempo vendré, y tendrá Sara un hijo.
Y no sólo esto; mas también Rebeca concibiendo de uno, de Isaac nuestro padre,
(Porque no siendo aún nacidos, ni habiendo hecho aún ni bien ni mal, para que el propósito de Dios conforme á la elección, no por las obras sino por el que llama, permaneciese;)
Le fué dicho que el mayor serviría al menor.
Como está escrito: A Jacob amé, mas á Esaú aborrecí.
¿Pues qué diremos? ¿Que hay injusticia en Dios? En ninguna manera.
Mas á Moisés dice: Tendré misericordia del que tendré misericordia, y me compadeceré del que me compadeceré.
Así que no es del que quiere, ni del que corre, sino de Dios que tiene misericordia.
Porque la Escritura dice de Faraón: Que para esto mismo te he levantado, para mostrar en ti mi potencia, y que mi nombre sea anunciado por toda la tierra.
De manera que del que quiere tiene misericordia; y al que quiere, endurece.
Me dirás pues: ¿Por qué, pues, se enoja? porque ¿quién resistirá á su voluntad?
Mas antes, oh hombre, ¿quién eres tú, para que alterques con Dios? Dirá el vaso de barro al que le labró: ¿Por qué me has hecho tal?
¿O no tiene potestad el alfarero para hacer de la misma masa un vaso para honra, y otro para vergüenza?
¿Y qué, si Dios, queriendo mostrar la ira y hacer notoria su potencia, soportó con mucha mansedumbre los vasos de ira preparados para muerte,
Y para hacer notorias las riquezas de su gloria, mostrólas para con los vasos de misericordia que él ha preparado para gloria;
Los cuales también ha llamado, es á saber, á nosotros, no sólo de los Judíos, mas también de los Gentiles?
Como también en Oseas dice: Llamaré al que no era mi pueblo, pueblo mío; y á la no amada, amada.
Y será, que en el lugar donde les fué dicho: Vosotros no sois pueblo mío: allí serán llamados hijos del Dios viviente.
También Isaías clama tocante á Israel: Si fuere el número de los hijos de Israel como la arena de la mar, las reliquias serán salvas:
Porque palabra consumadora y abreviadora en justicia, porque palabra abreviada, hará el Señor sobre la tierra.
Y como antes dijo Isaías: Si el Señor de los ejércitos no nos hubiera dejado simiente, como Sodoma habríamos venido á ser, y á Gomorra fuéramos semejantes.
¿Pues qué diremos? Que los Gentiles que no seguían justicia, han alcanzado la justicia, es á saber, la justicia que es por la fe;
Mas Israel que seguía la ley de justicia, no ha llegado á la ley de justicia.
¿Por qué? Porque la seguían no por fe, mas como por las obras de la ley: por lo cual tropezaron en la piedra de tropiezo,
Como está escrito: He aquí pongo en Sión piedra de tropiezo, y piedra de caída; y aquel que creyere en ella, no será avergonzado.
HERMANOS, ciertamente la voluntad de mi corazón y mi oración á Dios sobre Israel, es para salud.
Porque yo les doy testimonio que tienen celo de Dios, mas no conforme á ciencia.
Porque ignorando la justicia de Dios, y procurando establecer la suya propia, no se han sujetado á la justicia de Dios.
Porque el fin de la ley es Cristo, para justicia á todo aquel que cree.
Porque Moisés describe la justicia que es por la ley: Que el hombre que hiciere estas cosas, vivirá por ellas.
Mas la justicia que es por la fe dice así: No digas en tu corazón: ¿Quién subirá al cielo? (esto es, para traer abajo á Cristo:)
O, ¿quién descenderá al abismo? (esto es, para volver á traer á Cristo de los muertos.)
Mas ¿qué dice? Cercana está la palabra, en tu boca y en tu corazón. Esta es la palabra de fe, la cual predicamos:
Que si confesares con tu boca al Señor Jesús, y creyeres en tu corazón que Dios le levantó de los muertos, serás salvo.
Porque con el corazón se cree para justicia; mas con la boca se hace confesión para salud.
Porque la Escritura dice: Todo aquel que en él creyere, no será avergonzado.
Porque no hay diferencia de Judío y de Griego: porque el mismo que es Señor de todos, rico es para con todos los que le invocan:
Porque todo aquel que invocare el nombre del Señor, será salvo.
¿Cómo, pues invocarán á aquel en el cual no han creído? ¿y cómo creerán á aquel de quien no han oído? ¿y cómo oirán sin haber quien les predique?
¿Y cómo predicarán si no fueren enviados? Como está escrito: ¡Cuán hermosos son los pies de los que anuncian el evangelio de la paz, de los que anuncian el evangelio de los bienes!
Mas no todos obedecen al evangelio; pues Isaías dice: Señor, ¿quién ha creído á nuestro anuncio?
Luego la fe es por el oir; y el oir por la palabra de Dios.
Mas digo: ¿No han oído? Antes bien, por toda la tierra ha salido la fama de ellos, y hasta los cabos de la redondez de la tierra las palabras de ellos.
Mas digo: ¿No ha conocido esto Israel? Primeramente Moisés dice: Yo os provocaré á celos con gente que no es mía; con gente insensata os provocaré á ira.
E Isaías determinadamente dice: Fuí hallado de los que no me buscaban; manifestéme á los que no preguntaban por mí.
Mas acerca de Israel dice: Todo el día extendí mis manos á un pueblo rebelde y contradictor.
DIGO pues: ¿Ha desechado Dios á su pueblo? En ninguna manera. Porque también yo soy Israelita, de la simiente de Abraham, de la tribu de Benjamín.
No ha desechado Dios á su pueblo, al cual antes conoció. ¿O no sabéis qué dice de Elías la Escritura? cómo hablando con Dios contra Israel dice:
Señor, á tus profetas han muerto, y tus altares han derruído; y yo he quedado solo, y procuran matarme.
Mas ¿qué le dice la divina respuesta? He dejado para mí siete mil hombres, que no han doblado la rodilla delante de Baal.
Así también, aun en este tiempo han quedado reliquias por la elección de gracia.
Y si por gracia, luego no por las obras; de otra manera la gracia ya no es gracia. Y si por las obras, ya no es gracia; de otra manera la obra ya no es obra.
¿Qué pues? Lo que buscaba Israel aquello no ha alcanzado; mas la elección lo ha alcanzado: y los demás fueron endurecidos;
Como está escrito: Dióles Dios espíritu de remordimiento, ojos con que no vean, y oídos con que no oigan, hasta el día de hoy.
Y David dice: Séales vuelta su mesa en lazo, y en red, y en tropezadero, y en paga:
Sus ojos sean obscurecidos para que no vean, y agóbiales siempre el espinazo.
Digo pues: ¿Han tropezado para que cayesen? En ninguna manera; mas por el tropiezo de ellos vino la salud á los Gentiles, para que fuesen provocados á celos.
Y si la falta de ellos es la riqueza del mundo, y el menoscabo de ellos la riqueza de los Gentiles, ¿cuánto más el henchimiento de ellos?
Porque á vosotros hablo, Gentiles. Por cuanto pues, yo soy apóstol de los Gentiles, mi ministerio honro,
Por si en alguna manera provocase á celos á mi carne, é hiciese salvos á algunos de ellos.
Porque si el extrañamiento de ellos es la reconciliación del mundo, ¿qué será el recibimiento de ellos, sino vida de los muertos?
Y si el primer fruto es santo, también lo es el todo, y si la raíz es santa, también lo son las ramas.
Que si algunas de las ramas fueron quebradas, y tú, siendo acebuche, has sido ingerido en lugar de ellas, y has sido hecho participante de la raíz y de la grosura de la oliva;
No te jactes contra las ramas; y si te jactas, sabe que no sustentas tú á la raíz, sino la raíz á ti.
Pues las ramas, dirás, fueron quebradas para que yo fuese ingerido.
Bien: por su incredulidad fueron quebradas, mas tú por la fe estás en pie. No te ensoberbezcas, antes teme,
Que si Dios no perdonó á las ramas naturales, á ti tampoco no perdone.
Mira, pues, la bondad y la severidad de Dios: la severidad ciertamente en los que cayeron; mas la bondad para contigo, si permanecieres en la bondad; pues de otra manera tú también serás cortado.
Y aun ellos, si no permanecieren en incredulidad, serán ingeridos; que poderoso es Dios para volverlos á ingerir.
Porque si tú eres cortado del natural acebuche, y contra natura fuiste ingerido en la buena oliva, ¿cuánto más éstos, que son las ramas naturales, serán ingeridos en su oliva?
Porque no quiero, hermanos, que ignoréis este misterio, para que no seáis acerca de vosotros mismos arrogantes: que el endurecimiento en parte ha acontecido en Israel, hasta que haya entrado la plenitud de los Gentiles;
Y luego todo Israel será salvo; como está escrito: Vendrá de Sión el Libertador, que quitará de Jacob la impiedad;
Y este es mi pacto con ellos, cuando quitare su pecados.
Así que, cuanto al evangelio, son enemigos por causa de vosotros: mas cuanto á la elección, son muy amados por causa de los padres.
Porque sin arrepentimiento son las mercedes y la vocación de Dios.
Porque como también vosotros en algún tiempo no creísteis á Dios, mas ahora habéis alcanzado misericordia por la incredulidad de ellos;
Así también éstos ahora no han creído, para que, por la misericordia para con vosotros, ellos también alcancen misericordia.
Porque Dios encerró á todos en incredulidad, para tener misericordia de todos.
¡Oh profundidad de las riquezas de la sabiduría y de la ciencia de Dios! ¡Cuán incomprensibles son sus juicios, é inescrutables sus caminos!
Porque ¿quién entendió la mente del Señor? ¿ó quién fué su consejero?
¿O quién le dió á él primero, para que le sea pagado?
Porque de él, y por él, y en él, son todas las cosas. A él sea gloria por siglos. Amén.
ASÍ que, hermanos, os ruego por las misericordias de Dios, que presentéis vuestros cuerpos en sacrificio vivo, santo, agradable á Dios, que es vuestro racional culto.
Y no os conforméis á este siglo; mas reformaos por la renovación de vuestro entendimiento, para que experimentéis cuál sea la buena voluntad de Dios, agradable y perfecta.
Digo pues por la gracia que me es dada, á cada cual que está entre vosotros, que no tenga más alto concepto de sí que el que debe tener, sino que piense de sí con templanza, conforme á la medida de fe que Dios repartió á cada uno.
Porque de la manera que en un cuerpo tenemos muchos miembros, empero todos los miembros no tienen la misma operación;
Así muchos somos un cuerpo en Cristo, mas todos miembros los unos de los otros.
De manera que, teniendo diferentes dones según la gracia que nos es dada, si el de profecía, úsese conforme á la medida de la fe;
O si ministerio, en servir; ó el que enseña, en doctrina;
El que exhorta, en exhortar; el que reparte, hágalo en simplicidad; el que preside, con solicitud; el que hace misericordia, con alegría.
El amor sea sin fingimiento: aborreciendo lo malo, llegándoos á lo bueno;
Amándoos los unos á los otros con caridad fraternal; previniéndoos con honra los unos á los otros;
En el cuidado no perezosos; ardientes en espíritu; sirviendo al Señor;
Gozosos en la esperanza; sufridos en la tribulación; constantes en la oración;
Comunicando á las necesidades de los santos; siguiendo la hospitalidad.
Bendecid á los que os persiguen: bendecid, y no maldigáis.
Gozaos con los que se gozan: llorad con los que lloran.
Unánimes entre vosotros: no altivos, mas acomodándoos á los humildes. No seáis sabios en vuestra opinión.
No paguéis á nadie mal por mal; procurad lo bueno delante de todos los hombres.
Si se puede hacer, cuanto está en vosotros, tened paz con todos los hombres.
No os venguéis vosotros mismos, amados míos; antes dad lugar á la ira; porque escrito está: Mía es la venganza: yo pagaré, dice el Señor.
Así que, si tu enemigo tuviere hambre, dale de comer; si tuviere sed, dale de beber: que haciendo esto, ascuas de fuego amontonas sobre su cabeza.
No seas vencido de lo malo; mas vence con el bien el mal.
TODA alma se someta á las potestades superiores; porque no hay potestad sino de Dios; y las que son, de Dios son ordenadas.
Así que, el que se opone á la potestad, á la ordenación de Dios resiste: y los que resisten, ellos mismos ganan condenación para sí.
Porque los magistrados no son para temor al que bien hace, sino al malo. ¿Quieres pues no temer la potestad? haz lo bueno, y tendrás alabanza de ella;
Porque es ministro de Dios para tu bien. Mas si hicieres lo malo, teme: porque no en vano lleva el cuchillo; porque es ministro de Dios, vengador para castigo al que hace lo malo.
Por lo cual es necesario que le estéis sujetos, no solamente por la ira, mas aun por la conciencia.
Porque por esto pagáis también los tributos; porque son ministros de Dios que sirven á esto mismo.
Pagad á todos lo que debéis: al que tributo, tributo; al que pecho, pecho; al que temor, temor; al que honra, honra.
No debáis á nadie nada, sino amaros unos á otros; porque el que ama al prójimo, cumplió la ley.
Porque: No adulterarás; no matarás; no hurtarás; no dirás falso testimonio; no codiciarás; y si hay algún otro mandamiento, en esta sentencia se comprende sumariamente: Amarás á tu prójimo como á ti mismo.
La caridad no hace mal al prójimo: así que, el cumplimento de la ley es la caridad.
Y esto, conociendo el tiempo, que es ya hora de levantarnos del sueño; porque ahora nos está más cerca nuestra salud que cuando creímos.
La noche ha pasado, y ha llegado el día: echemos, pues, las obras de las tinieblas, y vistámonos las armas de luz.
Andemos como de día, honestamente: no en glotonerías y borracheras, no en lechos y disoluciones, no en pedencias y envidia:
Mas vestíos del Señor Jesucristo, y no hagáis caso de la carne en sus deseos.
RECIBID al flaco en la fe, pero no para contiendas de disputas.
Porque uno cree que se ha de comer de todas cosas: otro que es débil, come legumbres.
El que come, no menosprecie al que no come: y el que no come, no juzgue al que come; porque Dios le ha levantado.
¿Tú quién eres que juzgas al siervo ajeno? para su señor está en pie, ó cae: mas se afirmará; que poderoso es el Señor para afirmarle.
Uno hace diferencia entre día y día; otro juzga iguales todos los días. Cada uno esté asegurado en su ánimo.
El que hace caso del día, hácelo para el Señor: y el que no hace caso del día, no lo hace para el Señor. El que come, come para el Señor, porque da gracias á Dios; y el que no come, no come para el Señor, y da gracias á Dios.
Porque ninguno de nosotros vive para sí, y ninguno muere para sí.
Que si vivimos, para el Señor vivimos; y si morimos, para el Señor morimos. Así que, ó que vivamos, ó que muramos, del Señor somos.
Porque Cristo para esto murió, y resucitó, y volvió á vivir, para ser Señor así de los muertos como de los que viven.
Mas tú ¿por qué juzgas á tu hermano? ó tú también, ¿por qué menosprecias á tu hermano? porque todos hemos de estar ante el tribunal de Cristo.
Porque escrito está: Vivo yo, dice el Señor, que á mí se doblará toda rodilla, y toda lengua confesará á Dios.
De manera que, cada uno de nosotros dará á Dios razón de sí.
Así que, no juzguemos más los unos de los otros: antes bien juzgad de no poner tropiezo ó escándalo al hermano.
Yo sé, y confío en el Señor Jesús, que de suyo nada hay inmundo: mas á aquel que piensa alguna cosa ser inmunda, para él es inmunda.
Empero si por causa de la comida tu hermano es contristado, ya no andas conforme á la caridad. No arruines con tu comida á aquél por el cual Cristo murió.
No sea pues blasfemado vuestro bien:
Que el reino de Dios no es comida ni bebida, sino justicia y paz y gozo por el Espíritu Santo.
Porque el que en esto sirve á Cristo, agrada á Dios, y es acepto á los hombres.
Así que, sigamos lo que hace á la paz, y á la edificación de los unos á los otros.
No destruyas la obra de Dios por causa de la comida. Todas las cosas á la verdad son limpias: mas malo es al hombre que come con escándalo.
Bueno es no comer carne, ni beber vino, ni nada en que tu hermano tropiece, ó se ofenda, ó sea debilitado.
¿Tienes tú fe? Tenla para contigo delante de Dios. Bienaventurado el que no se condena á sí mismo con lo que aprueba.
Mas el que hace diferencia, si comiere, es condenado, porque no comió por fe: y todo lo que no es de fe, es pecado.
ASÍ que, los que somos más firmes debemos sobrellevar las flaquezas de los flacos, y no agradarnos á nosotros mismos.
Cada uno de nosotros agrade á su prójimo en bien, á edificación.
Porque Cristo no se agradó á sí mismo; antes bien, como está escrito: Los vituperios de los que te vituperan, cayeron sobre mí.
Porque las cosas que antes fueron escritas, para nuestra enseñanza fueron escritas; para que por la paciencia, y por la consolación de las Escrituras, tengamos esperanza.
Mas el Dios de la paciencia y de la consolación os dé que entre vosotros seáis unánimes según Cristo Jesús;
Para que concordes, á una boca glorifiquéis al Dios y Padre de nuestro Señor Jesucristo.
Por tanto, sobrellevaos los unos á los otros, como también Cristo nos sobrellevó, para gloria de Dios.
Digo, pues, que Cristo Jesús fué hecho ministro de la circuncisión por la verdad de Dios, para confirmar las promesas hechas á los padres,
Y para que los Gentiles glorifiquen á Dios por la misericordia; como está escrito: Por tanto yo te confesaré entre los Gentiles, y cantaré á tu nombre.
Y otra vez dice: Alegraos, Gentiles, con su pueblo.
Y otra vez: Alabad al Señor todos los Gentiles, y magnificadle, todos los pueblos.
Y otra vez, dice Isaías: Estará la raíz de Jessé, y el que se levantará á regir los Gentiles: los Gentiles esperarán en él.
Y el Dios de esperanza os llene de todo gozo y paz creyendo, para que abundéis en esperanza por la virtud del Espíritu Santo.
Empero cierto estoy yo de vosotros, hermanos míos, que aun vosotros mismos estáis llenos de bondad, llenos de todo conocimiento, de tal manera que podáis amonestaros los unos á los otros.
Mas os he escrito, hermanos, en parte resueltamente, como amonestándoos por la gracia que de Dios me es dada,
Para ser ministro de Jesucristo á los Gentiles, ministrando el evangelio de Dios, para que la ofrenda de los Gentiles sea agradable, santificada por el Espíritu Santo.
Tengo, pues, de qué gloriarme en Cristo Jesús en lo que mira á Dios.
Porque no osaría hablar alguna cosa que Cristo no haya hecho por mí para la obediencia de los Gentiles, con la palabra y con las obras,
Con potencia de milagros y prodigios, en virtud del Espíritu de Dios: de manera que desde Jerusalem, y por los alrededores hasta Ilírico, he llenado todo del evangelio de Cristo.
Y de esta manera me esforcé á predicar el evangelio, no donde antes Cristo fuese nombrado, por no edificar sobre ajeno fundamento:
Sino, como está escrito: A los que no fué anunciado de él, verán: y los que no oyeron, entenderán.
Por lo cual aun he sido impedido muchas veces de venir á vosotros.
Mas ahora no teniendo más lugar en estas regiones, y deseando ir á vosotros muchos años há,
Cuando partiere para España, iré á vosotros; porque espero que pasando os veré, y que seré llevado de vosotros allá, si empero antes hubiere gozado de vosotros.
Mas ahora parto para Jerusalem á ministrar á los santos.
Porque Macedonia y Acaya tuvieron por bien hacer una colecta para los pobres de los santos que están en Jerusalem.
Porque les pareció bueno, y son deudores á ellos: porque si los Gentiles han sido hechos participantes de sus bienes espirituales, deben también ellos servirles en los carnales.
Así que, cuando hubiere concluído esto, y les hubiere consignado este fruto, pasaré por vosotros á España.
Y sé que cuando llegue á vosotros, llegaré con abundancia de la bendición del evangelio de Cristo.
Ruégoos empero, hermanos, por el Señor nuestro Jesucristo, y por la caridad del Espíritu, que me ayudéis con oraciones por mí á Dios,
Que sea librado de los rebeldes que están en Judea, y que la ofrenda de mi servicio á los santos en Jerusalem sea acepta;
Para que con gozo llegue á vosotros por la voluntad de Dios, y que sea recreado juntamente con vosotros.
Y el Dios de paz sea con todos vosotros. Amén.
ENCOMIÉNDOOS empero á Febe nuestra hermana, la cual es diaconisa de la iglesia que está en Cencreas:
Que la recibáis en el Señor, como es digno á los santos, y que la ayudéis en cualquiera cosa en que os hubiere menester: porque ella ha ayudado á muchos, y á mí mismo.
Saludad á Priscila y á Aquila, mis coadjutores en Cristo Jesús;
(Que pusieron sus cuellos por mi vida: á los cuales no doy gracias yo solo, mas aun todas las iglesias de los Gentiles;)
Asimismo á la iglesia de su casa. Saludad á Epeneto, amado mío, que es las primicias de Acaya en Cristo.
Saludad á María, la cual ha trabajado mucho con vosotros.
Saludad á Andrónico y á Junia, mis parientes, y mis compañeros en la cautividad, los que son insignes entre los apóstoles; los cuales también fueron antes de mí en Cristo.
Saludad á Amplias, amado mío en el Señor.
Saludad á Urbano, nuestro ayudador en Cristo Jesús, y á Stachîs, amado mío.
Saludad á Apeles, probado en Cristo. Saludad á los que son de Aristóbulo.
Saludad á Herodión, mi pariente. Saludad á los que son de la casa de Narciso, los que están en el Señor.
Saludad á Trifena y á Trifosa, las cuales trabajan en el Señor. Saludad á Pérsida amada, la cual ha trabajado mucho en el Señor.
Saludad á Rufo, escogido en el Señor, y á su madre y mía.
Saludad á Asíncrito, y á Flegonte, á Hermas, á Patrobas, á Hermes, y á los hermanos que están con ellos.
Saludad á Filólogo y á Julia, á Nereo y á su hermana, y á Olimpas, y á todos los santos que están con ellos.
Saludaos los unos á los otros con ósculo santo. Os saludan todas las iglesias de Cristo.
Y os ruego hermanos, que miréis los que causan disensiones y escándalos contra la doctrina que vosotros habéis aprendido; y apartaos de ellos.
Porque los tales no sirven al Señor nuestro Jesucristo, sino á sus vientres; y con suaves palabras y bendiciones engañan los corazones de los simples.
Porque vuestra obediencia ha venido á ser notoria á todos; así que me gozo de vosotros; mas quiero que seáis sabios en el bien, y simples en el mal.
Y el Dios de paz quebrantará presto á Satanás debajo de vuestros pies. La gracia del Señor nuestro Jesucristo sea con vosotros.
Os saludan Timoteo, mi coadjutor, y Lucio y Jasón y Sosipater, mis parientes.
Yo Tercio, que escribí la epístola, os saludo en el Señor.
Salúdaos Gayo, mi huésped, y de toda la iglesia. Salúdaos Erasto, tesorero de la ciudad, y el hermano Cuarto.
La gracia del Señor nuestro Jesucristo sea con todos vosotros. Amén.
Y al que puede confirmaros según mi evangelio y la predicación de Jesucristo, según la revelación del misterio encubierto desde tiempos eternos,
Mas manifestado ahora, y por las Escrituras de los profetas, según el mandamiento del Dios eterno, declarado á todas las gentes para que obedezcan á la fe;
Al solo Dios sabio, sea gloria por Jesucristo para siempre. Amén. Fué escrita de Corinto á los Romanos, enviada por medio de Febe, diaconisa de la iglesia de Cencreas.
PEDRO, apóstol de Jesucristo, á los extranjeros esparcidos en Ponto, en Galacia, en Capadocia, en Asia, y en Bithinia,
Elegidos según la presciencia de Dios Padre en santificación del Espíritu, para obedecer y ser rociados con la sangre de Jesucristo: Gracia y paz os sea multiplicada.
Bendito el Dios y Padre de nuestro Señor Jesucristo, que según su grande misericordia nos ha regenerado en esperanza viva, por la resurrección de Jesucristo de los muertos,
Para una herencia incorruptible, y que no puede contaminarse, ni marchitarse, reservada en los cielos
Para nosotros que somos guardados en la virtud de Dios por fe, para alcanzar la salud que está aparejada para ser manifestada en el postrimero tiempo.
En lo cual vosotros os alegráis, estando al presente un poco de tiempo afligidos en diversas tentaciones, si es necesario,
Para que la prueba de vuestra fe, mucho más preciosa que el oro, el cual perece, bien que sea probado con fuego, sea hallada en alabanza, gloria y honra, cuando Jesucristo fuere manifestado:
Al cual, no habiendo visto, le amáis; en el cual creyendo, aunque al presente no lo veáis, os alegráis con gozo inefable y glorificado;
Obteniendo el fin de vuestra fe, que es la salud de vuestras almas.
De la cual salud los profetas que profetizaron de la gracia que había de venir á vosotros, han inquirido y diligentemente buscado,
Escudriñando cuándo y en qué punto de tiempo significaba el Espíritu de Cristo que estaba en ellos, el cual prenunciaba las aflicciones que habían de venir á Cristo, y las glorias después de ellas.
A los cuales fué revelado, que no para sí mismos, sino para nosotros administraban las cosas que ahora os son anunciadas de los que os han predicado el evangelio por el Espíritu Santo enviado del cielo; en las cuales desean mirar los ángeles.
Por lo cual, teniendo los lomos de vuestro entendimiento ceñidos, con templanza, esperad perfectamente en la gracia que os es presentada cuando Jesucristo os es manifestado:
Como hijos obedientes, no conformándoos con los deseos que antes teníais estando en vuestra ignorancia;
Sino como aquel que os ha llamado es santo, sed también vosotros santos en toda conversación:
Porque escrito está: Sed santos, porque yo soy santo.
Y si invocáis por Padre á aquel que sin acepción de personas juzga según la obra de cada uno, conversad en temor todo el tiempo de vuestra peregrinación:
Sabiendo que habéis sido rescatados de vuestra vana conversación, la cual recibisteis de vuestros padres, no con cosas corruptibles, como oro ó plata;
Sino con la sangre preciosa de Cristo, como de un cordero sin mancha y sin contaminación:
Ya ordenado de antes de la fundación del mundo, pero manifestado en los postrimeros tiempos por amor de vosotros,
Que por él creéis á Dios, el cual le resucitó de los muertos, y le ha dado gloria, para que vuestra fe y esperanza sea en Dios.
Habiendo purificado vuestra almas en la obediencia de la verdad, por el Espíritu, en caridad hermanable sin fingimiento, amaos unos á otros entrañablemente de corazón puro:
Siendo renacidos, no de simiente corruptible, sino de incorruptible, por la palabra de Dios, que vive y permanece para siempre.
Porque Toda carne es como la hierba, y toda la gloria del hombre como la flor de la hierba: secóse la hierba, y la flor se cayó;
Mas la palabra del Señor permanece perpetuamente. Y esta es la palabra que por el evangelio os ha sido anunciada.
DEJANDO pues toda malicia, y todo engaño, y fingimientos, y envidias, y todas las detracciones,
Desead, como niños recién nacidos, la leche espiritual, sin engaño, para que por ella crezcáis en salud:
Si empero habéis gustado que el Señor es benigno;
Al cual allegándoos, piedra viva, reprobada cierto de los hombres, empero elegida de Dios, preciosa,
Vosotros también, como piedras vivas, sed edificados una casa espiritual, y un sacerdocio santo, para ofrecer sacrificios espirituales, agradables á Dios por Jesucristo.
Por lo cual también contiene la Escritura: He aquí, pongo en Sión la principal piedra del ángulo, escogida, preciosa; y el que creyere en ella, no será confundido.
Ella es pues honor á vosotros que creéis: mas para los desobedientes, la piedra que los edificadores reprobaron, ésta fué hecha la cabeza del ángulo;
Y Piedra de tropiezo, y roca de escándalo á aquellos que tropiezan en la palabra, siendo desobedientes; para lo cual fueron también ordenados.
Mas vosotros sois linaje escogido, real sacerdocio, gente santa, pueblo adquirido, para que anunciéis las virtudes de aquel que os ha llamado de las tinieblas á su luz admirable:
Vosotros, que en el tiempo pasado no erais pueblo, mas ahora sois pueblo de Dios; que en el tiempo pasado no habíais alcanzado misericordia, mas ahora habéis alcanzado misericordia.
Amados, yo os ruego como á extranjeros y peregrinos, os abstengáis de los deseos carnales que batallan contra el alma,
Teniendo vuestra conversación honesta entre los Gentiles; para que, en lo que ellos murmuran de vosotros como de malhechores, glorifiquen á Dios en el día de la visitación, estimándoos por las buenas obras.
Sed pues sujetos á toda ordenación humana por respeto á Dios: ya sea al rey, como á superior;
Ya á los gobernadores, como de él enviados para venganza de los malhechores, y para loor de los que hacen bien.
Porque esta es la voluntad de Dios; que haciendo bien, hagáis callar la ignorancia de los hombres vanos:
Como libres, y no como teniendo la libertad por cobertura de malicia, sino como siervos de Dios.
Honrad á todos. Amad la fraternidad. Temed á Dios. Honrad al rey.
Siervos, sed sujetos con todo temor á vuestros amos; no solamente á los buenos y humanos, sino también á los rigurosos.
Porque esto es agradable, si alguno á causa de la conciencia delante de Dios, sufre molestias padeciendo injustamente.
Porque ¿qué gloria es, si pecando vosotros sois abofeteados, y lo sufrís? mas si haciendo bien sois afligidos, y lo sufrís, esto ciertamente es agradable delante de Dios.
Porque para esto sois llamados; pues que también Cristo padeció por nosotros, dejándonos ejemplo, para que vosotros sigáis sus pisadas:
El cual no hizo pecado; ni fué hallado engaño en su boca:
Quien cuando le maldecían, no retornaba maldición; cuando padecía, no amenazaba, sino remitía la causa al que juzga justamente:
El cual mismo llevó nuestros pecados en su cuerpo sobre el madero, para que nosotros siendo muertos á los pecados, vivamos á la justicia: por la herida del cual habéis sido sanados.
Porque vosotros erais como ovejas descarriadas; mas ahora habéis vuelto al Pastor y Obispo de vuestras almas.
ASIMISMO vosotras, mujeres, sed sujetas á vuestros maridos; para que también los que no creen á la palabra, sean ganados sin palabra por la conversación de sus mujeres,
Considerando vuestra casta conversación, que es en temor.
El adorno de las cuales no sea exterior con encrespamiento del cabello, y atavío de oro, ni en compostura de ropas;
Sino el hombre del corazón que está encubierto, en incorruptible ornato de espíritu agradable y pacífico, lo cual es de grande estima delante de Dios.
Porque así también se ataviaban en el tiempo antiguo aquellas santas mujeres que esperaban en Dios, siendo sujetas á sus maridos:
Como Sara obedecía á Abraham, llamándole señor; de la cual vosotras sois hechas hijas, haciendo bien, y no sois espantadas de ningún pavor.
Vosotros maridos, semejantemente, habitad con ellas según ciencia, dando honor á la mujer como á vaso más frágil, y como á herederas juntamente de la gracia de la vida; para que vuestras oraciones no sean impedidas.
Y finalmente, sed todos de un mismo corazón, compasivos, amándoos fraternalmente, misericordiosos, amigables;
No volviendo mal por mal, ni maldición por maldición, sino antes por el contrario, bendiciendo; sabiendo que vosotros sois llamados para que poseáis bendición en herencia.
Porque el que quiere amar la vida, y ver días buenos, refrene su lengua de mal, y sus labios no hablen engaño;
Apártase del mal, y haga bien; busque la paz, y sígala.
Porque los ojos del Señor están sobre los justos, y sus oídos atentos á sus oraciones: pero el rostro del Señor está sobre aquellos que hacen mal.
¿Y quién es aquel que os podrá dañar, si vosotros seguís el bien?
Mas también si alguna cosa padecéis por hacer bien, sois bienaventurados. Por tanto, no temáis por el temor de ellos, ni seáis turbados;
Sino santificad al Señor Dios en vuestros corazones, y estad siempre aparejados para responder con mansedumbre y reverencia á cada uno que os demande razón de la esperanza que hay en vosotros:
Teniendo buena conciencia, para que en lo que murmuran de vosotros como de malhechores, sean confundidos los que blasfeman vuestra buena conversación en Cristo.
Porque mejor es que padezcáis haciendo bien, si la voluntad de Dios así lo quiere, que haciendo mal.
Porque también Cristo padeció una vez por los pecados, el justo por los injustos, para llevarnos á Dios, siendo á la verdad muerto en la carne, pero vivificado en espíritu;
En el cual también fué y predicó á los espíritus encarcelados;
Los cuales en otro tiempo fueron desobedientes, cuando una vez esperaba la paciencia de Dios en los días de Noé, cuando se aparejaba el arca; en la cual pocas, es á saber, ocho personas fueron salvas por agua.
A la figura de la cual el bautismo que ahora corresponde nos salva (no quitando las inmundicias de la carne, sino como demanda de una buena conciencia delante de Dios,) por la resurrección de Jesucristo:
El cual está á la diestra de Dios, habiendo subido al cielo; estando á él sujetos los ángeles, y las potestades, y virtudes.
PUES que Cristo ha padecido por nosotros en la carne, vosotros también estad armados del mismo pensamiento: que el que ha padecido en la carne, cesó de pecado;
Para que ya el tiempo que queda en carne, viva, no á las concupiscencias de los hombres, sino á la voluntad de Dios.
Porque nos debe bastar que el tiempo pasado de nuestra vida hayamos hecho la voluntad de los Gentiles, cuando conversábamos en lascivias, en concupiscencias, en embriagueces, en glotonerías, en banquetes, y en abominables idolatrías.
En lo cual les parece cosa extraña que vosotros no corráis con ellos en el mismo desenfrenamiento de disolución, ultrajándoos:
Los cuales darán cuenta al que está aparejado para juzgar los vivos y los muertos.
Porque por esto también ha sido predicado el evangelio á los muertos; para que sean juzgados en carne según los hombres, y vivan en espíritu según Dios.
Mas el fin de todas las cosas se acerca: sed pues templados, y velad en oración.
Y sobre todo, tened entre vosotros ferviente caridad; porque la caridad cubrirá multitud de pecados.
Hospedaos los unos á los otros sin murmuraciones.
Cada uno según el don que ha recibido, adminístrelo á los otros, como buenos dispensadores de las diferentes gracias de Dios.
Si alguno habla, hable conforme á las palabras de Dios; si alguno ministra, ministre conforme á la virtud que Dios suministra: para que en todas cosas sea Dios glorificado por Jesucristo, al cual es gloria é imperio para siempre jamás. Amén.
Carísimos, no os maravilléis cuando sois examinados por fuego, lo cual se hace para vuestra prueba, como si alguna cosa peregrina os aconteciese;
Antes bien gozaos en que sois participantes de las aflicciones de Cristo; para que también en la revelación de su gloria os gocéis en triunfo.
Si sois vituperados en el nombre de Cristo, sois bienaventurados; porque la gloria y el Espíritu de Dios reposan sobre vosotros. Cierto, según ellos, él es blasfemado, mas según vosotros es glorificado.
Así que, ninguno de vosotros padezca como homicida, ó ladrón, ó malhechor, ó por meterse en negocios ajenos.
Pero si alguno padece como Cristiano, no se avergüence; antes glorifique á Dios en esta parte.
Porque es tiempo de que el juicio comience de la casa de Dios: y si primero comienza por nosotros, ¿qué será el fin de aquellos que no obedecen al evangelio de Dios?
Y si el justo con dificultad se salva, ¿á dónde aparecerá el infiel y el pecador?
Y por eso los que son afligidos según la voluntad de Dios, encomiéndenle sus almas, como á fiel Criador, haciendo bien.
RUEGO á los ancianos que están entre vosotros, yo anciano también con ellos, y testigo de las aflicciones de Cristo, que soy también participante de la gloria que ha de ser revelada:
Apacentad la grey de Dios que está entre vosotros, teniendo cuidado de ella, no por fuerza, sino voluntariamente; no por ganancia deshonesta, sino de un ánimo pronto;
Y no como teniendo señorío sobre las heredades del Señor, sino siendo dechados de la grey.
Y cuando apareciere el Príncipe de los pastores, vosotros recibiréis la corona incorruptible de gloria.
Igualmente, mancebos, sed sujetos á los ancianos; y todos sumisos unos á otros, revestíos de humildad; porque Dios resiste á los soberbios, y da gracia á los humildes.
Humillaos pues bajo la poderosa mano de Dios, para que él os ensalce cuando fuere tiempo;
Echando toda vuestra solicitud en él, porque él tiene cuidado de vosotros.
Sed templados, y velad; porque vuestro adversario el diablo, cual león rugiente, anda alrededor buscando á quien devore:
Al cual resistid firmes en la fe, sabiendo que las mismas aflicciones han de ser cumplidas en la compañía de vuestros hermanos que están en el mundo.
Mas el Dios de toda gracia, que nos ha llamado á su gloria eterna por Jesucristo, después que hubiereis un poco de tiempo padecido, él mismo os perfeccione, confirme, corrobore y establezca.
A él sea gloria é imperio para siempre. Amén.
Por Silvano, el hermano fiel, según yo pienso, os he escrito brevemente, amonestándoos, y testificando que ésta es la verdadera gracia de Dios, en la cual estáis.
La iglesia que está en Babilonia, juntamente elegida con vosotros, os saluda, y Marcos mi hijo.
Saludaos unos á otros con ósculo de caridad. Paz sea con todos vosotros los que estáis en Jesucristo. Amén.
